import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BitCodec, Rng, entropyBins, estimateEntropyProfile, loadCheckpoint, saveCheckpoint, tf, type EntropyProfile } from '@nextx/core';
import { drawWindows } from '../data/token-stream.js';
import { entropyOptionsFromCfg } from './entropy-controller.js';
import { ENTROPY_FILE, loadCobitWeights, profileTensors } from './load.js';
import { cobitLossTerms, hostBatchTensors, prepareHostBatch } from './loss.js';
import type { CobitNetwork } from './network/cobit-network.js';

/**
 * Measures a trained model's entropy profile without training (what a checkpoint lacking one needs): the training
 * step's metric — the unweighted squared error of the denoised bits — at `perBin` noise levels spread inside each
 * log-σ bin, on windows of the training stream, then the official profile estimate from those pairs.
 */
export function measureCobitProfile(net: CobitNetwork, stream: Int32Array, options: { readonly perBin?: number; readonly batch?: number; readonly seed?: number } = {}): EntropyProfile {
  const o = entropyOptionsFromCfg(net.config.cfg);
  const perBin = options.perBin ?? 8;
  const batch = options.batch ?? 16;
  const rng = Rng.seeded(options.seed ?? 0);
  const { logEdges } = entropyBins(o.bins, o.sigmaMin, o.sigmaMax);
  const sigmas: number[] = [];
  for (let k = 0; k < o.bins; k++) {
    for (let i = 0; i < perBin; i++) {
      const lo = logEdges[k] as number;
      const hi = logEdges[k + 1] as number;
      sigmas.push(Math.exp(lo + ((i + 0.5) / perBin) * (hi - lo)));
    }
  }
  const codec = new BitCodec({ vocabSize: net.sizes.V, width: net.sizes.b });
  const metrics: number[] = [];
  for (let start = 0; start < sigmas.length; start += batch) {
    const rowSigmas = Float32Array.from(sigmas.slice(start, start + batch));
    const { ids } = drawWindows(stream, rowSigmas.length, net.sizes.T, rng);
    const host = prepareHostBatch(net, Float32Array.from(codec.encodeIds(ids)), rowSigmas, net.config.cfg.train.self_condition_prob, rng);
    metrics.push(...tf.tidy(() => cobitLossTerms(net, hostBatchTensors(host)).metric.dataSync()));
  }
  return estimateEntropyProfile(sigmas, metrics, { bins: o.bins, sigmaMin: o.sigmaMin, sigmaMax: o.sigmaMax, regularizer: o.regularizer, power: o.power });
}

/** Measures the profile of the checkpoint in `dir` and rewrites the checkpoint (atomically) with entropy.safetensors. */
export function writeCobitProfile(dir: string, stream: Int32Array, options: { readonly seed?: number; readonly perBin?: number; readonly log?: (message: string) => void } = {}): { checkpoint: string; bins: number } {
  const net = loadCobitWeights({ weights: join(dir, 'model.safetensors'), config: join(dir, 'config.json') });
  try {
    const profile = measureCobitProfile(net, stream, options);
    const files = readdirSync(dir);
    const others = (ext: string) => files.filter((f) => f.endsWith(ext) && f !== 'model.safetensors' && f !== 'config.json' && f !== ENTROPY_FILE).map((f) => f.slice(0, -ext.length));
    const contents = loadCheckpoint(dir, { tensorFiles: others('.safetensors'), jsonFiles: others('.json') });
    const tables = profileTensors(profile);
    try {
      saveCheckpoint(dir, { ...contents, tensorFiles: { ...contents.tensorFiles, [ENTROPY_FILE.replace('.safetensors', '')]: tables } });
    } finally {
      tf.dispose([...Object.values(tables), ...Object.values(contents.tensors), ...Object.values(contents.tensorFiles).flatMap((f) => Object.values(f))]);
    }
    options.log?.(`wrote the entropy profile (${profile.pdf.length} bins) into ${dir}`);
    return { checkpoint: dir, bins: profile.pdf.length };
  } finally {
    net.dispose();
  }
}
