/**
 * Held-out Colin27 slices at 4× and 8×: NMSE / PSNR / SSIM (fastMRI's definitions) and seconds per slice of
 * zero-filling, CG-SENSE, ℓ1-wavelet CS (ours), BART's ESPIRiT + pics (when `bart` is installed) and every level of the
 * next-acceleration-scale model, in one run on one machine. The baselines' regularisation is tuned on the validation
 * slab (by SSIM), then scored on the test slab. Prints JSON; with --figure writes the reconstruction figure of test
 * slice 0 at the last acceleration.
 *
 *   npx tsx packages/medical/bench/reconstruction.ts [--checkpoint dir] [--accelerations 4,8] [--samples 4]
 *     [--slices n] [--tune-slices n] [--figure docs/reconstruction-8x.png]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { tf, initBackend, Rng } from '@nextx/core';
import {
  MriNasModel,
  SenseOperator,
  cgSense,
  estimateCoilSensitivities,
  generateMriNasAll,
  heldOutCases,
  magnitudeOf,
  measuredKspace,
  readSplitSlices,
  reconstructionFigure,
  scoreMethod,
  scoreModelLevels,
  toComplexArray,
  waveletCs,
  zeroFilledOf,
  type HeldOutCase,
  type MethodScore,
} from '../src/index.js';
import { DEMO_CHECKPOINT } from '../src/mri-nas/demo-checkpoint.js';
import { bartPics, findBart } from './bart.js';

const { values: args } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: DEMO_CHECKPOINT },
    accelerations: { type: 'string', default: '4,8' },
    samples: { type: 'string', default: '4' },
    slices: { type: 'string' },
    'tune-slices': { type: 'string', default: '6' },
    figure: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
  },
});

await initBackend({ prefer: args.backend as 'wasm' });
const load = [loadavg()[0]];
const checkpoint = args.checkpoint ?? DEMO_CHECKPOINT;
const model = MriNasModel.load(checkpoint);
const config = model.config;
const data = readSplitSlices({ kind: 'colin27' }, config.imageSize);
const test = args.slices ? data.test.slice(0, Number(args.slices)) : data.test;
const validation = data.validation.slice(0, Number(args['tune-slices']));
const accelerations = args.accelerations.split(',').map(Number);
const samples = Number(args.samples);
const bart = findBart();

type Recon = (c: HeldOutCase) => Float32Array;

/** Runs `f` with the measured k-space, the estimated maps and the SENSE operator of a case. */
function withSense<T>(c: HeldOutCase, f: (y: ReturnType<typeof measuredKspace>, sense: SenseOperator) => T): T {
  const y = measuredKspace(c);
  const maps = estimateCoilSensitivities(y, c.mask);
  const sense = new SenseOperator(maps, c.mask);
  try {
    return f(y, sense);
  } finally {
    sense.dispose();
    tf.dispose([maps.re, maps.im, y.re, y.im]);
  }
}

const host = (z: { re: tf.Tensor; im: tf.Tensor }) => {
  const m = magnitudeOf(z);
  const out = Float32Array.from(m.dataSync() as Float32Array);
  tf.dispose([m, z.re, z.im]);
  return out;
};

const cg = (iterations: number, lambda: number): Recon => (c) => withSense(c, (y, sense) => host(cgSense(sense, y, { iterations, lambda })));
const cs = (lambda: number): Recon => (c) => withSense(c, (y, sense) => host(waveletCs(sense, y, Rng.seeded(c.index), { iterations: 60, lambda })));
const bartMaps: string[] = [];
const bartRecon = (lambda: number, espirit: boolean): Recon => (c) =>
  withSense(c, (y, sense) => {
    const run = bartPics(toComplexArray(y), lambda, toComplexArray(sense.maps), { espirit, calibration: c.mask.numLowFrequencies });
    bartMaps.push(run.maps);
    return run.magnitude;
  });
const mapsNote = () => {
  const espirit = bartMaps.filter((m) => m === 'espirit').length;
  return espirit === bartMaps.length ? 'ESPIRiT maps' : `ESPIRiT maps on ${espirit} of ${bartMaps.length} slices, ours where ecalib could not calibrate`;
};

/** The grid point with the best validation SSIM. */
async function tune(name: string, R: number, grid: { label: string; recon: Recon }[]): Promise<{ label: string; recon: Recon; ssim: number }> {
  const cases = heldOutCases(validation, { acceleration: R, centerFraction: Math.min(1, config.centerFraction / R), seed: 7 });
  let best: { label: string; recon: Recon; ssim: number } | undefined;
  for (const point of grid) {
    const score = await scoreMethod(name, R, cases, point.recon);
    if (!best || score.metrics.ssim > best.ssim) best = { ...point, ssim: score.metrics.ssim };
  }
  return best!;
}

const rows: (MethodScore & { setting?: string })[] = [];
for (const R of accelerations) {
  const cases = heldOutCases(test, { acceleration: R, centerFraction: Math.min(1, config.centerFraction / R) });
  rows.push(await scoreMethod('zero-filled', R, cases, zeroFilledOf));
  const cgBest = await tune('CG-SENSE', R, [5, 10, 20].flatMap((it) => [0.001, 0.01, 0.05].map((l) => ({ label: `${it} iterations, λ ${l}`, recon: cg(it, l) }))));
  rows.push({ ...(await scoreMethod('CG-SENSE', R, cases, cgBest.recon)), setting: cgBest.label });
  const csBest = await tune('ℓ1-wavelet CS', R, [0.001, 0.003, 0.01, 0.03].map((l) => ({ label: `FISTA 60 iterations, λ ${l}`, recon: cs(l) })));
  rows.push({ ...(await scoreMethod('ℓ1-wavelet CS (ours)', R, cases, csBest.recon)), setting: csBest.label });
  if ('version' in bart) {
    for (const espirit of [false, true]) {
      const grid = [0.001, 0.005, 0.01, 0.03].map((l) => ({ label: `pics -S -l1 -r ${l}`, recon: bartRecon(l, espirit) }));
      const best = await tune('BART pics', R, grid);
      bartMaps.length = 0;
      const score = await scoreMethod(espirit ? 'BART ecalib + pics' : 'BART pics (our maps)', R, cases, best.recon);
      rows.push({ ...score, setting: `${best.label}, ${espirit ? mapsNote() : 'the maps CG-SENSE and CS use'} (BART ${bart.version}, 1 thread)` });
    }
  } else {
    process.stderr.write(`skipping BART: ${bart.missing}\n`);
  }
  rows.push(...(await scoreModelLevels(model, R, cases, { samples })).map((r) => ({ ...r, setting: `${samples} samples, mean` })));
}
load.push(loadavg()[0]);

if (args.figure) {
  const R = accelerations[accelerations.length - 1] as number;
  const [c] = heldOutCases(test.slice(0, 1), { acceleration: R, centerFraction: Math.min(1, config.centerFraction / R) });
  const y = measuredKspace(c!);
  const levels = await generateMriNasAll(model, { measurement: { kspace: y, mask: c!.mask }, samples }, { seed: 0 });
  tf.dispose([y.re, y.im]);
  await reconstructionFigure({ target: c!.target, zeroFilled: zeroFilledOf(c!), levels, title: `held-out Colin27 slice z = ${data.testZ[0]}, ${R}× (${samples} samples)` }).write(args.figure);
}

console.log(
  JSON.stringify(
    {
      data: data.description,
      slices: { test: test.length, validationForTuning: validation.length },
      checkpoint,
      backend: tf.getBackend(),
      loadAverage: { start: load[0], end: load[1] },
      rows: rows.map((r) => ({ ...r, metrics: { nmse: +r.metrics.nmse.toFixed(5), psnr: +r.metrics.psnr.toFixed(2), ssim: +r.metrics.ssim.toFixed(4) }, secondsPerSlice: +r.secondsPerSlice.toFixed(3) })),
    },
    null,
    2,
  ),
);
model.dispose();
