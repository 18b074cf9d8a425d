/**
 * Tokens per second of BitLM (k = 4 and 8) against the AR reference at (about) equal parameter count, both with the KV
 * cache, generating 64 tokens at batch 1 and 8. BitLM's decoder runs once per block and its head N times per block
 * (N = 8, Karras levels, deterministic Euler); the AR model runs once per token. Prints JSON.
 * `npx tsx bench/bitlm-throughput.ts`.
 */
import { Rng, withoutInit } from '@nextx/core';
import { parseArConfig } from '../src/ar/config.js';
import { generateAr } from '../src/ar/generate.js';
import { ArModel } from '../src/ar/model.js';
import { parseBitlmConfig } from '../src/bitlm/config.js';
import { generateBitlm } from '../src/bitlm/generate.js';
import { BitLm } from '../src/bitlm/model.js';
import { BITLM_HEAD_PRESETS } from '../src/presets.js';
import { benchBackend, time } from './bench-common.js';

const machine = await benchBackend();
const V = 4096;
const length = 64;
const ar = withoutInit(() => new ArModel(parseArConfig({ vocabSize: V, transformer: { dim: 128, depth: 4, heads: 4, contextLength: 128 } }), Rng.seeded(0))).eval();
// The AR head alone holds V·dim = 524k parameters; BitLM spends them on two more decoder layers instead.
const bitlm = (k: number) => withoutInit(() => new BitLm(parseBitlmConfig({ vocabSize: V, blockSize: k, transformer: { dim: 128, depth: 6, heads: 4, contextLength: 128 }, head: BITLM_HEAD_PRESETS.small }), Rng.seeded(0))).eval();
const rows: Array<Record<string, unknown> & { model: string; batch: number; tokensPerSecond: number }> = [];
for (const batch of [1, 8]) {
  const t = await time(async () => void (await generateAr(ar, { batch, length, startId: 0, rng: Rng.seeded(1) })), 3, 1);
  rows.push({ model: 'text/ar', parameters: ar.numParameters(), batch, nfePerToken: 1, tokensPerSecond: Number(((batch * length * 1000) / t.wallMs).toFixed(1)), cpuTokensPerSecond: Number(((batch * length * 1000) / t.cpuMs).toFixed(1)) });
  for (const k of [4, 8]) {
    const model = bitlm(k);
    const steps = 8;
    const tb = await time(async () => void (await generateBitlm(model, { batch, length, rng: Rng.seeded(1), sampler: { steps, schedule: 'karras' } })), 3, 1);
    rows.push({ model: `text/bitlm k=${k}`, parameters: model.numParameters(), batch, headStepsPerBlock: steps, tokensPerSecond: Number(((batch * length * 1000) / tb.wallMs).toFixed(1)), cpuTokensPerSecond: Number(((batch * length * 1000) / tb.cpuMs).toFixed(1)) });
    model.dispose();
  }
}
const arRow = (batch: number) => rows.find((r) => r.model === 'text/ar' && r.batch === batch) as { tokensPerSecond: number };
console.log(JSON.stringify({ bench: 'bitlm-vs-ar-tokens-per-second', machine, vocab: V, length, rows: rows.map((r) => ({ ...r, speedupOverAr: Number((r.tokensPerSecond / arRow(r.batch).tokensPerSecond).toFixed(2)) })) }, null, 2));
ar.dispose();
