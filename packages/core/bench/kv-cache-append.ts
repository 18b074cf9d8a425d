/**
 * KV cache cost per token as the context grows (64 → 4,096 tokens), one layer, batch 1, 4 heads × 64 (the byte-GPT
 * benchmark width), float32, on each backend:
 *  - append: one token committed to the cache, for the paged LayerKVCache and for the concat-per-append design of
 *    core 0.1 (k, v = concat([k, new]) on every append), in the same run;
 *  - step: one decoding step's attention (a query over the cache and itself) plus the commit, both designs through
 *    the same segmented attention (0.1's design is one segment);
 *  - rolling: an append to a full keep-recent cache of that budget (each append evicts one token);
 *  - products: the two forms of one query's attention products over that many keys (query-major q·kᵀ and p·v as
 *    tfjs writes them; key-major (k·qᵀ)ᵀ and (vᵀ·pᵀ)ᵀ as sealed pages are read by up to 16 queries);
 *  - otherPageSizes: append and step at 512 and at the largest context for other page sizes.
 * Each figure is the median over `--samples` calls at that context, in microseconds of this process's CPU time
 * (process.cpuUsage: on a shared machine wall time also counts the other processes' turns; `--clock wall` for wall
 * time). JSON on stdout.
 * `npx tsx bench/kv-cache-append.ts [--backends wasm,cpu] [--max 4096] [--samples 24] [--pageSize 256]
 *  [--pageSizes 64,128,512] [--clock cpu|wall]`.
 */
import { performance } from 'node:perf_hooks';
import { cpuUsage } from 'node:process';
import { tf } from '../src/tf.js';
import { initBackend } from '../src/backend/init-backend.js';
import { LayerKVCache } from '../src/cache/layer-kv-cache.js';
import { segmentedAttention } from '../src/nn/segmented-attention.js';
import { benchArgs, machine, median } from './gpt-bench-common.js';

const { backends, args } = benchArgs({
  max: '4096',
  samples: '24',
  pageSize: '256',
  heads: '4',
  headDim: '64',
  pageSizes: '64,128,512',
  clock: 'cpu',
});
const [max, samples, pageSize, heads, headDim] = ['max', 'samples', 'pageSize', 'heads', 'headDim'].map((k) =>
  Number(args[k]),
) as [number, number, number, number, number];
/** Microseconds now: this process's CPU time (user + system), or wall time. */
const clock =
  args['clock'] === 'wall'
    ? () => performance.now() * 1000
    : () => {
        const { user, system } = cpuUsage();
        return user + system;
      };
const contexts: number[] = [];
for (let t = 64; t <= max; t *= 2) contexts.push(t);

/** Core 0.1's growth: the whole cache concatenated with each new token. */
class ConcatPerAppendCache {
  k: tf.Tensor4D | undefined;
  v: tf.Tensor4D | undefined;
  append(k: tf.Tensor4D, v: tf.Tensor4D): void {
    const [oldK, oldV] = [this.k, this.v];
    this.k = tf.keep(oldK ? tf.concat([oldK, k], 2) : tf.clone(k));
    this.v = tf.keep(oldV ? tf.concat([oldV, v], 2) : tf.clone(v));
    oldK?.dispose();
    oldV?.dispose();
  }
  get length(): number {
    return this.k?.shape[2] ?? 0;
  }
  dispose(): void {
    tf.dispose([this.k, this.v].filter((t): t is tf.Tensor4D => t !== undefined));
  }
}

interface Design {
  readonly length: number;
  append(k: tf.Tensor4D, v: tf.Tensor4D): void;
  /** Attention of q over the cache and the new token, then the append. */
  step(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D): void;
  dispose(): void;
}

function paged(size: number, budget?: number): Design {
  const cache = new LayerKVCache({
    pageSize: size,
    ...(budget ? { budget: { tokens: budget } } : {}),
  });
  return {
    get length() {
      return cache.tokenCount;
    },
    append: (k, v) => cache.commit(k, v),
    // As MultiHeadAttention does: the chunk joins the last page for attention, and the commit keeps that join.
    step: (q, k, v) =>
      tf.tidy(() => {
        segmentedAttention(q, cache.segmentsWith(k, v), {
          scale: 1 / Math.sqrt(headDim),
        }).heads.dataSync();
        cache.commit(k, v);
      }),
    dispose: () => cache.dispose(),
  };
}

function concatPerAppend(): Design {
  const cache = new ConcatPerAppendCache();
  return {
    get length() {
      return cache.length;
    },
    append: (k, v) => cache.append(k, v),
    step: (q, k, v) => {
      cache.append(k, v);
      tf.tidy(() =>
        segmentedAttention(q, [{ k: cache.k as tf.Tensor4D, v: cache.v as tf.Tensor4D }], {
          scale: 1 / Math.sqrt(headDim),
        }).heads.dataSync(),
      );
    },
    dispose: () => cache.dispose(),
  };
}

const token = () => tf.randomNormal([1, heads, 1, headDim]) as tf.Tensor4D;

/** Microseconds per call of `run` on a design grown to each context (median of `samples` calls there). */
function perContext(
  make: () => Design,
  run: (design: Design, k: tf.Tensor4D) => void,
  fill: (design: Design, to: number) => void,
  at: readonly number[] = contexts,
): Record<number, number> {
  const design = make();
  const out: Record<number, number> = {};
  const k = token();
  for (const context of at) {
    fill(design, context - samples);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = clock();
      run(design, k);
      times.push(clock() - started);
    }
    out[context] = Number(median(times).toFixed(1));
  }
  k.dispose();
  design.dispose();
  return out;
}

/** Grows a design token by token (so its pages are what decoding makes). */
function growTo(design: Design, to: number): void {
  const k = token();
  while (design.length < to) design.append(k, k);
  k.dispose();
}

/** Median microseconds of `run` (a tidy scope, forced with dataSync). */
function timed(run: () => tf.Tensor): number {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = clock();
    tf.tidy(() => run().dataSync());
    times.push(clock() - started);
  }
  return Number(median(times).toFixed(1));
}

/** One query's products over n keys per head, both forms. */
function productForms(): Record<string, Record<number, number>> {
  const out: Record<string, Record<number, number>> = {
    'q·kT': {},
    '(k·qT)T': {},
    'p·v': {},
    '(vT·pT)T': {},
  };
  const bh = heads;
  const q = tf.randomNormal([bh, 1, headDim]);
  for (const n of contexts) {
    const [k, v, vT, p] = [
      [bh, n, headDim],
      [bh, n, headDim],
      [bh, headDim, n],
      [bh, 1, n],
    ].map((shape) => tf.randomNormal(shape));
    out['q·kT']![n] = timed(() => tf.matMul(q, k as tf.Tensor, false, true));
    out['(k·qT)T']![n] = timed(() => tf.reshape(tf.matMul(k as tf.Tensor, q, false, true), [bh, 1, n]));
    out['p·v']![n] = timed(() => tf.matMul(p as tf.Tensor, v as tf.Tensor));
    out['(vT·pT)T']![n] = timed(() =>
      tf.reshape(tf.matMul(vT as tf.Tensor, p as tf.Tensor, false, true), [bh, 1, headDim]),
    );
    tf.dispose([k, v, vT, p] as tf.Tensor[]);
  }
  q.dispose();
  return out;
}

const ratio = (series: Record<number, number>) =>
  Number(
    ((series[contexts[contexts.length - 1] as number] as number) / (series[contexts[0] as number] as number)).toFixed(
      2,
    ),
  );

const results = [];
for (const backend of backends) {
  await initBackend({ prefer: backend });
  const q = token();
  const append = (design: Design, k: tf.Tensor4D) => design.append(k, k);
  const step = (design: Design, k: tf.Tensor4D) => design.step(q, k, k);
  for (const make of [() => paged(pageSize), concatPerAppend]) perContext(make, step, growTo, [256]); // warm-up
  const appendPaged = perContext(() => paged(pageSize), append, growTo);
  const appendConcat = perContext(concatPerAppend, append, growTo);
  const stepPaged = perContext(() => paged(pageSize), step, growTo);
  const stepConcat = perContext(concatPerAppend, step, growTo);
  // Rolling: a fresh keep-recent cache per budget, filled to it, then appends that each evict one token.
  const rolling: Record<number, number> = {};
  for (const context of contexts) {
    const series = perContext(
      () => paged(pageSize, context),
      append,
      (design) => growTo(design, context),
      [context],
    );
    rolling[context] = series[context] as number;
  }
  const sweepAt = [...new Set([Math.min(512, max), max])];
  const pageSizes: Record<number, { append: Record<number, number>; step: Record<number, number> }> = {};
  for (const size of (args['pageSizes'] ?? '').split(',').filter(Boolean).map(Number)) {
    pageSizes[size] = {
      append: perContext(() => paged(size), append, growTo, sweepAt),
      step: perContext(() => paged(size), step, growTo, sweepAt),
    };
  }
  q.dispose();
  results.push({
    backend,
    appendMicros: { paged: appendPaged, concatPerAppend: appendConcat },
    stepMicros: { paged: stepPaged, concatPerAppend: stepConcat },
    rollingAppendMicros: rolling,
    productMicros: productForms(),
    otherPageSizes: pageSizes,
    growth: {
      note: `cost at ${contexts[contexts.length - 1]} tokens ÷ cost at ${contexts[0]} tokens`,
      appendPaged: ratio(appendPaged),
      appendConcatPerAppend: ratio(appendConcat),
      stepPaged: ratio(stepPaged),
      stepConcatPerAppend: ratio(stepConcat),
      rollingPaged: ratio(rolling),
    },
  });
}
console.log(
  JSON.stringify(
    {
      bench: 'kv-cache-append',
      clock: args['clock'],
      layout: { batch: 1, heads, headDim, dtype: 'float32', pageSize },
      samples,
      machine: machine(),
      results,
    },
    null,
    2,
  ),
);
