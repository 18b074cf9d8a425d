/**
 * The BENCHMARKS.md quality table: GenPPL under the AR reference and mean unigram entropy of samples from the AR
 * reference, CoBit (deterministic and entropy-gated) and BitLM, beside the same two figures for held-out text of the
 * same length, at several NFE budgets. Every row is one `nextx eval text/<model>` (the plugin's own command), with
 * the same seed, so all rows score the same held-out windows. Prints JSON (progress on stderr).
 *
 *   npx tsx bench/genppl-table.ts <runs> [samples] [length]
 *
 * `<runs>` holds the checkpoints `ar/`, `cobit/` and `bitlm/` written by `nextx train` (see BENCHMARKS.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliContext, PluginCommand } from '@nextx/core';
import type { EvalRow } from '../src/commands/eval-command.js';
import { plugin } from '../src/index.js';
import { benchBackend } from './bench-common.js';

const runsArg = process.argv[2];
const samplesArg = process.argv[3] ?? '32';
const lengthArg = process.argv[4] ?? '64';
if (!runsArg) throw new Error('usage: genppl-table.ts <runs dir with ar/, cobit/, bitlm/> [samples] [length]');
const runs: string = runsArg;
const STEPS = [16, 64];
const GAMMAS = [0.1, 0.3];

const machine = await benchBackend();
const scratch = mkdtempSync(join(tmpdir(), 'nextx-genppl-'));

/** Runs `nextx eval <name>` with the command's defaults overridden by `given` (flags in camelCase). */
async function evaluate(name: string, given: Record<string, string>): Promise<EvalRow & { seconds: number }> {
  const command = plugin.commands?.eval?.[name] as PluginCommand;
  const options: Record<string, unknown> = {};
  for (const o of command.options) {
    const key = (o.flags.split(' ')[0] as string).replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (o.defaultValue !== undefined) options[key] = o.defaultValue;
  }
  const context: CliContext = { out: mkdtempSync(join(scratch, 'row-')), json: true, signal: new AbortController().signal, onProgress: () => undefined, log: (m) => void process.stderr.write(`${m}\n`) };
  const started = performance.now();
  const row = (await command.run({ ...options, data: 'sotu', samples: samplesArg, length: lengthArg, seed: '0', reference: join(runs, 'ar'), ...given }, context)) as EvalRow;
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  const { model, sampler, nfe, genPpl, entropy, realGenPpl, realEntropy, samples, length } = row;
  process.stderr.write(`${JSON.stringify({ model, sampler, nfe, genPpl, entropy, seconds })}\n`);
  return { model, sampler, nfe, genPpl, entropy, realGenPpl, realEntropy, samples, length, seconds };
}

const rows: Array<EvalRow & { seconds: number; stepsPerBlock?: number }> = [];
try {
  rows.push(await evaluate('text/ar', { checkpoint: join(runs, 'ar') }));
  for (const steps of STEPS) {
    rows.push(await evaluate('text/cobit', { checkpoint: join(runs, 'cobit'), steps: String(steps) }));
    for (const gamma of GAMMAS) rows.push(await evaluate('text/cobit', { checkpoint: join(runs, 'cobit'), steps: String(steps), sampler: 'stochastic', gamma: String(gamma) }));
    rows.push({ ...(await evaluate('text/bitlm', { checkpoint: join(runs, 'bitlm'), steps: String(steps) })), stepsPerBlock: steps });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
/**
 * The paper's claim at each NFE: an entropy-gated run beats the deterministic one when its GenPPL is lower at an entropy
 * no lower than the deterministic run's less ENTROPY_MATCH nats (a lower GenPPL bought with less diversity does not
 * count).
 */
const ENTROPY_MATCH = 0.05;
const claim = STEPS.map((steps) => {
  const cobit = rows.filter((r) => r.model === 'text/cobit' && r.nfe === steps);
  const deterministic = cobit.find((r) => r.sampler.includes('deterministic'));
  const gated = cobit.filter((r) => r.sampler.includes('entropy-gated'));
  if (!deterministic) return { nfe: steps, holds: false, reason: 'no deterministic row' };
  const compared = gated.map((g) => ({ sampler: g.sampler, genPplRatio: Number((g.genPpl / deterministic.genPpl).toFixed(3)), entropyDelta: Number((g.entropy - deterministic.entropy).toFixed(3)) }));
  return { nfe: steps, deterministic: { genPpl: deterministic.genPpl, entropy: deterministic.entropy }, gated: compared, holds: compared.some((c) => c.genPplRatio < 1 && c.entropyDelta >= -ENTROPY_MATCH) };
});
const first = rows[0] as EvalRow;
const real = { model: 'real held-out text', genPpl: first.realGenPpl, entropy: first.realEntropy, samples: first.samples, length: first.length };
console.log(JSON.stringify({ bench: 'genppl-table', machine, corpus: 'sotu', real, rows, claim: { entropyMatch: ENTROPY_MATCH, byNfe: claim } }, null, 2));
