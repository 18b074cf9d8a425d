import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { tf, InputError, imageGrid, writeFileAtomic, writePng, writeSafetensors, type CliContext, type PluginCommand, type RasterImage } from '@nextx/core';
import { generateVar, type VarImages, type VarScaleResult } from './generate.js';
import { DEMO_CHECKPOINT } from './demo-checkpoint.js';
import { loadVar, loadVarCheckpoint, type LoadedVar } from './load.js';

export interface VarGenerateOutputs {
  readonly tokens: string;
  readonly images: string;
  readonly samples: readonly string[];
  readonly grid: string;
}

/** Comma-separated integers (`3,7`). */
function parseClasses(value: unknown): number[] {
  const text = String(value);
  const parts = text.split(',').map((p) => p.trim());
  const labels = parts.map(Number);
  if (!parts.length || labels.some((l, i) => parts[i] === '' || !Number.isInteger(l))) {
    throw new InputError(`--classes must be comma-separated integers such as 3,7; got '${text}'`);
  }
  return labels;
}

function parseNumber(flag: string, value: unknown, check: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new InputError(`${flag} must be ${expected}; got '${String(value)}'`);
  return n;
}

/** One image of a batch as a RasterImage (NHWC host data). */
function imageAt(images: VarImages, i: number): RasterImage {
  const [, h, w, c] = images.shape;
  return { data: images.data.subarray(i * h * w * c, (i + 1) * h * w * c), height: h, width: w, channels: c as 1 | 3 };
}

/**
 * Writes what `nextx generate vision/var` promises: tokens.json ({"scales": per scale, B arrays of indices}),
 * images.safetensors (F32 [B, 3, H, W] in [0, 1], the official NCHW layout), sample-<i>.png and grid.png.
 */
export function writeVarOutputs(dir: string, scales: readonly VarScaleResult[]): VarGenerateOutputs {
  mkdirSync(dir, { recursive: true });
  const last = scales[scales.length - 1];
  if (!last?.image) throw new InputError('generation produced no image');
  const batch = last.labels.length;
  const tokens = {
    labels: last.labels,
    scales: scales.map((s) => Array.from({ length: batch }, (_, b) => Array.from(s.tokens.subarray(b * s.patchNum ** 2, (b + 1) * s.patchNum ** 2)))),
  };
  const tokensFile = join(dir, 'tokens.json');
  writeFileAtomic(tokensFile, `${JSON.stringify(tokens)}\n`);
  const imagesFile = join(dir, 'images.safetensors');
  const nchw = tf.tidy(() => tf.transpose(tf.tensor4d(last.image!.data, [...last.image!.shape]), [0, 3, 1, 2]));
  try {
    writeSafetensors(imagesFile, { images: nchw });
  } finally {
    nchw.dispose();
  }
  const samples = Array.from({ length: batch }, (_, i) => {
    const file = join(dir, `sample-${i}.png`);
    writePng(file, imageAt(last.image!, i));
    return file;
  });
  const grid = join(dir, 'grid.png');
  writePng(grid, imageGrid(Array.from({ length: batch }, (_, i) => imageAt(last.image!, i))));
  return { tokens: tokensFile, images: imagesFile, samples, grid };
}

/** `--checkpoint <dir>`, or `--vae` with `--var` (and `--config`), or by default the bundled demo checkpoint. */
function loadRequestedModel(options: Readonly<Record<string, unknown>>, context: CliContext): Promise<LoadedVar> {
  const { checkpoint, vae, var: vars, config } = options;
  if (checkpoint !== undefined && (vae !== undefined || vars !== undefined)) {
    throw new InputError('generate vision/var takes either --checkpoint <dir> or --vae <file> with --var <file>, not both');
  }
  if ((vae === undefined) !== (vars === undefined)) {
    throw new InputError(`generate vision/var needs --var <file> as well as --vae <file> (or --checkpoint <dir>); only ${vae === undefined ? '--var' : '--vae'} was given`);
  }
  if (typeof vae === 'string' && typeof vars === 'string') {
    return loadVar({ vae, var: vars, ...(typeof config === 'string' ? { config } : {}) });
  }
  if (config !== undefined) throw new InputError('--config goes with --vae and --var; a --checkpoint folder has its own config.json');
  const dir = typeof checkpoint === 'string' ? checkpoint : DEMO_CHECKPOINT;
  if (checkpoint === undefined) context.log(`using the bundled Fashion-MNIST checkpoint (${dir}); --checkpoint or --vae/--var for others`);
  return loadVarCheckpoint(dir);
}

export const generateVarCommand: PluginCommand = {
  description: 'class-conditional images from a VAR checkpoint (default: the bundled Fashion-MNIST model) or weights (.safetensors or .pth, e.g. the official release files)',
  options: [
    { flags: '--checkpoint <dir>', description: 'a checkpoint folder (config.json, model.safetensors, vae.safetensors), e.g. from `nextx train vision/var`; default: the bundled Fashion-MNIST model' },
    { flags: '--vae <file>', description: 'VQVAE weights (vae_ch160v4096z32.pth or .safetensors), with --var instead of --checkpoint' },
    { flags: '--var <file>', description: 'VAR transformer weights (var_d16.pth … or .safetensors), with --vae' },
    { flags: '--config <json>', description: 'config file for --vae/--var (official constructor names); inferred from the weights when omitted' },
    { flags: '--classes <list>', description: 'comma-separated class labels, one image each', defaultValue: '0' },
    { flags: '--cfg <number>', description: 'guidance weight at the last scale (linear ramp from 0)', defaultValue: '1.5' },
    { flags: '--top-k <n>', description: 'keep the k most likely tokens (0 = off, 1 = greedy)', defaultValue: '900' },
    { flags: '--top-p <p>', description: 'nucleus sampling mass (0 = off)', defaultValue: '0.96' },
    { flags: '--seed <n>', description: 'random seed (default: a fresh one, reported so that the run can be repeated)' },
    { flags: '--no-kv-cache', description: 'recompute every scale from scratch (slower; for comparison)' },
  ],
  async run(options, context: CliContext) {
    const request = {
      classes: parseClasses(options['classes']),
      cfg: parseNumber('--cfg', options['cfg'], (n) => n >= 0, 'a number ≥ 0'),
      topK: parseNumber('--top-k', options['topK'], (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0'),
      topP: parseNumber('--top-p', options['topP'], (n) => n >= 0 && n <= 1, 'in [0, 1]'),
      kvCache: options['kvCache'] !== false,
    };
    const seed = options['seed'] === undefined ? undefined : parseNumber('--seed', options['seed'], (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0');
    const model = await loadRequestedModel(options, context);
    try {
      const scales: VarScaleResult[] = [];
      const started = performance.now();
      for await (const chunk of generateVar(model, request, { ...(seed === undefined ? {} : { seed }), signal: context.signal, onProgress: context.onProgress })) {
        scales.push(chunk.value);
      }
      const seconds = (performance.now() - started) / 1000;
      const outputs = writeVarOutputs(context.out, scales);
      const used = scales[0]?.seed;
      context.log(`wrote ${outputs.samples.length} images to ${context.out} in ${seconds.toFixed(2)} s (seed ${used}; --seed ${used} repeats this run)`);
      return { ...outputs, labels: request.classes, seconds, seed: used };
    } finally {
      model.dispose();
    }
  },
};
