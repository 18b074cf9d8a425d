import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWeights, tf } from '@nextx/core';
import { loadCobitWeights } from '../../src/cobit/load.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/cobit-fixture.js';

// Configurations of the official model that cobit-tiny-a does not reach, made by running the official models/sdt.py
// (python3-torch; fixtures/cobit-variants/make-variants.py): the patch-bits and hybrid heads, plain pre-norm blocks,
// relative position bias, C = 1, no self-conditioning, several tokens per patch, full positions, each logit scaling.
const DIR = fileURLToPath(new URL('../fixtures/cobit-variants/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${DIR}variants.json`, 'utf8')) as { variants: Record<string, { cfg: unknown; vocabSize: number; n_params: number }> };

describe.each(TEST_BACKENDS)('official CoBit variants on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  describe.each(Object.keys(manifest.variants))('%s', (name) => {
    const variant = manifest.variants[name] as { cfg: unknown; vocabSize: number; n_params: number };
    let cases: Record<string, tf.Tensor>;
    beforeAll(() => {
      cases = readWeights(`${DIR}${name}.cases.safetensors`);
    });
    afterAll(() => tf.dispose(Object.values(cases)));

    it('loads the official state dict (every name and shape) and matches the network output and logits with and without self-conditioning', () => {
      const before = tf.memory().numTensors;
      const net = loadCobitWeights({ weights: `${DIR}${name}.safetensors`, config: { cfg: variant.cfg, vocabSize: variant.vocabSize } });
      expect(net.numParameters()).toBe(variant.n_params);
      tf.tidy(() => {
        for (const tag of ['sc', 'nosc'] as const) {
          const cond = tag === 'sc' ? (cases['x0_hat'] as tf.Tensor) : null;
          expectClose(net.forward(cases['x_t'] as tf.Tensor, cases['sigma'] as tf.Tensor, cond), cases[`${tag}.net`] as tf.Tensor, 1e-4, `${name} ${tag}.net`);
          expectClose(net.logits(cases['x_t'] as tf.Tensor, cases['sigma'] as tf.Tensor, cond), cases[`${tag}.logits`] as tf.Tensor, 1e-4, `${name} ${tag}.logits`);
        }
      });
      // Saving gives back the official names (the hybrid head's fused kv_proj included).
      const saved = net.stateDict();
      const official = readWeights(`${DIR}${name}.safetensors`);
      expect(Object.keys(saved).sort()).toEqual(Object.keys(official).sort());
      tf.dispose([...Object.values(saved), ...Object.values(official)]);
      net.dispose();
      // Weights, positional features and the rotary tables kept after the first call all go with the network.
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
