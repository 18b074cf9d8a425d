import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@nextx/core';
import { cflToKspace, kspaceCflDims, readCfl, writeCfl, type ComplexArray } from '../src/index.js';

/** One OpenMP thread: nextx runs on one core too, and on a shared machine BART's default thread pool only contends. */
const BART_ENV = { ...process.env, OMP_NUM_THREADS: '1' };

/** The BART binary on PATH (Debian `bart`), or the reason it is absent. */
export function findBart(): { version: string } | { missing: string } {
  const run = spawnSync('bart', ['version'], { encoding: 'utf8', env: BART_ENV });
  if (run.error || run.status !== 0) return { missing: `BART not found (${run.error?.message ?? run.stderr.trim()}); install it with apt-get install bart` };
  return { version: run.stdout.trim() };
}

export interface BartRun {
  readonly magnitude: Float32Array;
  readonly seconds: number;
  /** Which maps pics used: ESPIRiT's, or ours when ecalib could not calibrate (or was not asked for). */
  readonly maps: 'espirit' | 'ours';
}

function bart(args: string[]): { ok: boolean; stderr: string } {
  const run = spawnSync('bart', args, { encoding: 'utf8', env: BART_ENV });
  return { ok: run.status === 0, stderr: run.stderr };
}

/**
 * BART on one slice, as the toolbox is used: k-space [C, H, W] written as BART [W, H, 1, C] (no data moved), coil maps
 * from `ecalib -m1` (ESPIRiT, calibration region `calibration` columns wide) or the given ones, then
 * `pics -S -l1 -r <lambda>` (ℓ1-wavelet SENSE, image rescaled). With ESPIRiT asked for and ecalib failing (too few
 * calibration lines), the given maps are used and the run says so. Timed from the first file written to the image read.
 */
export function bartPics(kspace: ComplexArray, lambda: number, maps: ComplexArray, options: { espirit: boolean; calibration: number }): BartRun {
  const dir = mkdtempSync(join(tmpdir(), 'nextx-bart-'));
  try {
    const started = performance.now();
    writeCfl(join(dir, 'k'), kspace, kspaceCflDims(kspace.shape));
    const [, H] = kspace.shape as [number, number, number];
    const k = Math.min(5, options.calibration);
    const espirit = options.espirit && bart(['ecalib', '-m1', '-r', `${options.calibration}:${H}:1`, '-k', `${k}:${k}:1`, join(dir, 'k'), join(dir, 'maps')]).ok;
    if (!espirit) writeCfl(join(dir, 'maps'), maps, kspaceCflDims(maps.shape));
    const pics = bart(['pics', '-S', '-l1', '-r', String(lambda), join(dir, 'k'), join(dir, 'maps'), join(dir, 'x')]);
    if (!pics.ok) throw new InputError(`bart pics failed: ${pics.stderr.trim()}`);
    const x = cflToKspace(readCfl(join(dir, 'x')));
    const seconds = (performance.now() - started) / 1000;
    return { magnitude: x.re.map((r, i) => Math.hypot(r, x.im[i] as number)), seconds, maps: espirit ? 'espirit' : 'ours' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
