import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@nextx/core';
import { loadVar, type LoadedVar } from '../../src/var/load.js';
import { generateVarAll } from '../../src/var/generate.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { WEIGHT_FORMATS, fixtureFile, readCases } from '../helpers/fixture.js';
import { expectClose, expectIndicesEqual, toNhwc } from '../helpers/parity.js';

// Parity with the official VAR code on var-tiny-a (fixture README sections 3, 5, 6): indices exact, floats within
// 3e-5 + 3e-6·|ref|. The fixture is NCHW; the models are NHWC, so references are transposed before comparing.
describe.each(TEST_BACKENDS)('VAR parity with var-tiny-a on %s', (backend) => {
  describe.each(WEIGHT_FORMATS)('weights from .%s', (format) => {
    let model: LoadedVar;
    let cases: Record<string, tf.Tensor>;
    const ref = (name: string): tf.Tensor => {
      const t = cases[name];
      if (!t) throw new Error(`fixture tensor ${name} missing`);
      return t;
    };
    const S = 4;

    beforeAll(async () => {
      await useBackend(backend);
      model = await loadVar({
        vae: fixtureFile(`vae.${format}`),
        var: fixtureFile(`var.${format}`),
        config: fixtureFile('config.json'),
      });
      cases = await readCases();
    });

    afterAll(() => {
      model.dispose();
      tf.dispose(Object.values(cases));
    });

    it('encodes the input to the reference latent, multi-scale indices and per-scale f̂', () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const img = toNhwc(ref('input.img_B3HW'));
        const f = model.vqvae.encodeLatent(img);
        expectClose(f, toNhwc(ref('a.enc_f_BChw')), 'a.enc_f_BChw');
        const indices = model.vqvae.quantize.encodeIndices(f);
        expect(indices).toHaveLength(S);
        indices.forEach((idx, k) => expectIndicesEqual(idx, ref(`a.idx_Bl.${k}`), `a.idx_Bl.${k}`));
        // The quantizer is also checked on the reference latent itself, so that its stage stands alone.
        const fhats = model.vqvae.quantize.fhatPerScale(toNhwc(ref('a.enc_f_BChw')));
        fhats.forEach((fhat, k) => {
          expectClose(fhat, toNhwc(ref(`a.fhat_after_scale.${k}`)), `a.fhat_after_scale.${k}`);
          // idxBl_to_var_input accumulates the same f̂ (README 3(e): bit-identical to a.fhat_after_scale.k).
          if (k < S - 1) expectClose(fhat, toNhwc(ref(`e.var_input_fhat_after_scale.${k}`)), `e.var_input_fhat_after_scale.${k}`);
        });
      });
      expect(tf.memory().numTensors).toBe(before);
    });

    it('decodes the reference indices to the reference f̂, decoder input and image', () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const indices = Array.from({ length: S }, (_, k) => tf.cast(ref(`a.idx_Bl.${k}`), 'int32') as tf.Tensor2D);
        const fhat = model.vqvae.quantize.indicesToFhat(indices);
        expectClose(fhat, toNhwc(ref('b.fhat_final_BChw')), 'b.fhat_final_BChw');
        expectClose(model.vqvae.postQuantConv.forward(fhat), toNhwc(ref('b.post_quant_conv_BChw')), 'b.post_quant_conv_BChw');
        expectClose(model.vqvae.indicesToImages(indices), toNhwc(ref('b.recon_img_B3HW')), 'b.recon_img_B3HW');
      });
      expect(tf.memory().numTensors).toBe(before);
    });

    it('computes the teacher-forcing input, logits, null-class logits and intermediates', () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const indices = Array.from({ length: S }, (_, k) => tf.cast(ref(`a.idx_Bl.${k}`), 'int32') as tf.Tensor2D);
        const x = model.vqvae.quantize.indicesToVarInput(indices);
        expectClose(x, ref('c.x_BLCv_wo_first_l'), 'c.x_BLCv_wo_first_l');
        const taps = new Map<string, tf.Tensor>();
        const labels = tf.cast(ref('c.label_B'), 'int32') as tf.Tensor1D;
        const logits = model.transformer.forward(labels, x, (name, t) => taps.set(name, tf.keep(t.clone())));
        expectClose(logits, ref('c.logits_BLV'), 'c.logits_BLV');
        expectClose(taps.get('cond')!, ref('e.cond_BD'), 'e.cond_BD');
        expectClose(taps.get('block_cond')!, ref('e.block0_cond_input'), 'e.block0_cond_input');
        expectClose(taps.get('block0_input')!, ref('e.block0_input_BLC'), 'e.block0_input_BLC');
        expectClose(taps.get('block0_output')!, ref('e.block0_output_BLC'), 'e.block0_output_BLC');
        expectClose(taps.get('last_block_output')!, ref('e.last_block_output_BLC'), 'e.last_block_output_BLC');
        const nullLabels = tf.fill([2], model.transformer.numClasses, 'int32') as tf.Tensor1D;
        expectClose(model.transformer.forward(nullLabels, x), ref('c.logits_null_label_BLV'), 'c.logits_null_label_BLV');
        tf.dispose([...taps.values()]);
      });
      expect(tf.memory().numTensors).toBe(before);
    });

    describe.each([
      ['cfg1p5', 1.5],
      ['cfg1', 1.0],
    ] as const)('greedy generation at %s', (tag, cfg) => {
      it.each([
        ['with the KV cache', true],
        ['with full recomputation per scale', false],
      ] as const)('reproduces guided logits, tokens, f̂ and the image %s', async (_how, kvCache) => {
        const before = tf.memory().numTensors;
        const scales = await generateVarAll(
          model,
          { classes: [3, 7], cfg, topK: 1, topP: 0, trace: true, kvCache },
          { seed: 0 },
        );
        expect(tf.memory().numTensors).toBe(before);
        expect(scales).toHaveLength(S);
        tf.tidy(() => {
          scales.forEach((scale, k) => {
            const logitsRef = ref(`d.${tag}.cfg_logits_BlV.${k}`);
            expectClose(tf.tensor(scale.logits!, logitsRef.shape), logitsRef, `d.${tag}.cfg_logits_BlV.${k}`);
            expectIndicesEqual(scale.tokens, ref(`d.${tag}.idx_Bl.${k}`), `d.${tag}.idx_Bl.${k}`);
            const fhatRef = toNhwc(ref(`d.${tag}.fhat_after_scale.${k}`));
            expectClose(tf.tensor(scale.fhat!, fhatRef.shape), fhatRef, `d.${tag}.fhat_after_scale.${k}`);
          });
          const image = scales[S - 1]!.image!;
          expectClose(tf.tensor(image.data, [...image.shape]), toNhwc(ref(`d.${tag}.img_B3HW_0to1`)), `d.${tag}.img_B3HW_0to1`);
        });
      });
    });
  });
});
