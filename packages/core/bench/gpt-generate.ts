/**
 * Generated tokens/s of the 4-layer, width-256 byte GPT: 256 new tokens after a 16-byte prompt, greedy, with and
 * without the KV cache, on each backend. `npx tsx bench/gpt-generate.ts [--backends wasm,cpu] [--tokens 256]`.
 */
import { performance } from 'node:perf_hooks';
import { initBackend } from '../src/backend/init-backend.js';
import { ByteGpt } from '../src/demo/byte-gpt/model.js';
import { generate } from '../src/demo/byte-gpt/generate.js';
import { BENCH_MODEL, benchArgs, machine } from './gpt-bench-common.js';

const { backends, args } = benchArgs({ tokens: '256', uncachedTokens: '256' });
const prompt = new TextEncoder().encode('The keeper of th');
let params = 0;
const results = [];
for (const backend of backends) {
  await initBackend({ prefer: backend });
  const model = new ByteGpt(BENCH_MODEL);
  params = model.numParameters();
  await generate(model, prompt, 4, { temperature: 0 }); // warm-up: kernels and caches
  const run = async (useCache: boolean, count: number) => {
    const started = performance.now();
    await generate(model, prompt, count, { temperature: 0, useCache });
    const seconds = (performance.now() - started) / 1000;
    return { tokens: count, seconds: Number(seconds.toFixed(3)), tokensPerSecond: Number((count / seconds).toFixed(2)) };
  };
  const cached = await run(true, Number(args['tokens']));
  const uncached = await run(false, Number(args['uncachedTokens']));
  results.push({ backend, withKvCache: cached, withoutKvCache: uncached, speedup: Number((cached.tokensPerSecond / uncached.tokensPerSecond).toFixed(2)) });
  model.dispose();
}
console.log(JSON.stringify({ bench: 'gpt-generate', model: { ...BENCH_MODEL, params }, promptBytes: prompt.length, machine: machine(), results }, null, 2));
