import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cflToKspace, kspaceCflDims, readCfl, writeCfl, type ComplexArray } from '../src/index.js';

/** The BART binary on PATH (Debian `bart`), or undefined with the reason. */
export function findBart(): { version: string } | { missing: string } {
  const run = spawnSync('bart', ['version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return { missing: `BART not found (${run.error?.message ?? run.stderr.trim()}); install it with apt-get install bart` };
  return { version: run.stdout.trim() };
}

export interface BartRun {
  readonly magnitude: Float32Array;
  readonly seconds: number;
  readonly maps: 'espirit' | 'ours';
}

/**
 * BART's standard pipeline on one slice, run as the toolbox is used: `ecalib -m1` (ESPIRiT maps from the calibration
 * lines) then `pics -l1 -r <lambda> -S` (ℓ1-wavelet SENSE, image rescaled). k-space [C, H, W] is written as BART
 * [W, H, 1, C] (no data moved). When ESPIRiT cannot calibrate from so few lines, `fallbackMaps` (ours) are used and
 * the run says so. Timed from the first file written to the image read back.
 */
export function bartPics(kspace: ComplexArray, lambda: number, fallbackMaps: ComplexArray, calibration: number): BartRun {
  const dir = mkdtempSync(join(tmpdir(), 'nextx-bart-'));
  try {
    const started = performance.now();
    writeCfl(join(dir, 'k'), kspace, kspaceCflDims(kspace.shape));
    const [, H] = kspace.shape as [number, number, number];
    const ecalib = spawnSync('bart', ['ecalib', '-m1', '-r', `${calibration}:${H}:1`, '-k', `${Math.min(5, calibration)}:5:1`, join(dir, 'k'), join(dir, 'maps')], { encoding: 'utf8' });
    const maps = ecalib.status === 0 ? 'espirit' : 'ours';
    if (maps === 'ours') writeCfl(join(dir, 'maps'), fallbackMaps, kspaceCflDims(fallbackMaps.shape));
    execFileSync('bart', ['pics', '-S', '-l1', '-r', String(lambda), join(dir, 'k'), join(dir, 'maps'), join(dir, 'x')], { stdio: 'ignore' });
    const x = cflToKspace(readCfl(join(dir, 'x')));
    const seconds = (performance.now() - started) / 1000;
    const magnitude = x.re.map((r, i) => Math.hypot(r, x.im[i] as number));
    return { magnitude, seconds, maps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
