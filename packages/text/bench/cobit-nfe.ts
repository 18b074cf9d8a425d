/**
 * ms per network evaluation (NFE) of CoBit's `small` preset (BPE 4096 → 12 bits per token, one token per patch) at
 * sequence lengths of 128 and 512 tokens, batch 1, eval mode. Prints JSON. `npx tsx bench/cobit-nfe.ts`.
 */
import { Rng, tf, withoutInit } from '@nextx/core';
import { parseCobitConfig } from '../src/cobit/config.js';
import { CobitNetwork } from '../src/cobit/network/cobit-network.js';
import { cobitPresetCfg } from '../src/presets.js';
import { benchBackend, time } from './bench-common.js';

const machine = await benchBackend();
const config = parseCobitConfig({ cfg: cobitPresetCfg('small', 12, 64, 1000), vocabSize: 4096 });
const net = withoutInit(() => new CobitNetwork(config, Rng.seeded(0))).eval();
const results = [];
for (const tokens of [128, 512]) {
  const bits = tokens * 12;
  const x = tf.randomUniform([1, bits], -1, 2, 'float32', 1);
  const sigma = tf.tensor1d([1]);
  const cond = tf.zeros([1, bits]);
  const t = await time(() => void tf.tidy(() => net.logits(x, sigma, cond)).dataSync(), 5, 2);
  results.push({ tokens, bits, patches: bits / 12, msPerNfe: Number(t.wallMs.toFixed(1)), cpuMsPerNfe: Number(t.cpuMs.toFixed(1)) });
  tf.dispose([x, sigma, cond]);
}
console.log(JSON.stringify({ bench: 'cobit-ms-per-nfe', machine, parameters: net.numParameters(), results }, null, 2));
net.dispose();
