import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { ConfigError, initBackend, readWeights, tf } from '@nextx/core';
import {
  HNetForCausalLM,
  RoutingModule,
  chunkMasked,
  chunkPacked,
  dechunkMasked,
  dechunkPacked,
  dechunkStep,
  planMaskedChunks,
  planPackedChunks,
  ratioLoss,
  straightThrough,
  type KernelDtype,
} from '../../src/index.js';
import { HNET_DIR, expectExact, expectF32, readFixtureConfig, readHNetCases } from '../helpers/hnet-fixture.js';

// Parity with the official H-Net dynamic chunking (goombalab/hnet, fixture hnet-chunk-a; README sections 4, 5, 7):
// masks, orders and lengths exact; f32 tensors within 1e-4·max(1, max|ref|); gradients within 1e-4·max|ref|.
// Every size comes from the fixture's own config.json.
const config = readFixtureConfig();
const { B, L, D0 } = config.dims;
const FORMATS = ['safetensors', 'pth'] as const;
const KERNELS: readonly KernelDtype[] = ['float32', 'bfloat16'];
const tag = (k: KernelDtype) => (k === 'float32' ? 'f32' : 'bf16');

describe.each(['wasm', 'cpu'] as const)('H-Net dynamic chunking parity on %s', (backend) => {
  describe.each(FORMATS)('weights from .%s', (format) => {
    let model: HNetForCausalLM;
    let cases: Record<string, tf.Tensor>;
    let baseline = 0;
    const ref = (name: string): tf.Tensor => {
      const t = cases[name];
      if (!t) throw new Error(`fixture tensor ${name} missing`);
      return t;
    };
    const host = (name: string) => Array.from(ref(name).dataSync());

    beforeAll(async () => {
      await initBackend({ prefer: backend });
      model = new HNetForCausalLM(config.hnet_config);
      const weights = readWeights(`${HNET_DIR}model.${format}`);
      model.loadStateDict(weights, { source: format });
      tf.dispose(Object.values(weights));
      cases = readHNetCases();
    });
    afterAll(() => {
      model.dispose();
      tf.dispose(Object.values(cases));
    });
    beforeEach(() => {
      baseline = tf.memory().numTensors;
    });
    afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

    const routing = () => model.backbone.routingModule;
    const mask = () => host('in.mask');

    it('routing module (mask mode): q, k, cos, p, boundary_prob, boundary mask, selected probs', () => {
      tf.tidy(() => {
        const h = ref('in.h');
        const out = routing().forwardMasked(h, mask());
        expectF32(routing().qProj.forward(tf.slice(h, [0, 0, 0], [-1, L - 1, -1])), ref('routing.q'), 'routing.q');
        expectF32(routing().kProj.forward(tf.slice(h, [0, 1, 0], [-1, L - 1, -1])), ref('routing.k'), 'routing.k');
        expectF32(out.cos, ref('routing.cos'), 'routing.cos');
        expectF32(out.p, ref('routing.p'), 'routing.p');
        expectF32(out.boundaryProb, ref('routing.boundary_prob'), 'routing.boundary_prob');
        expectExact(out.boundaries, ref('routing.boundary_mask'), 'routing.boundary_mask');
        expectF32(out.selectedProbs, ref('routing.selected_probs'), 'routing.selected_probs');
      });
    });

    it('chunk layer (mask mode): sort order, chunk states, next mask, token counts', () => {
      tf.tidy(() => {
        const b = Uint8Array.from(host('routing.boundary_mask'));
        const plan = planMaskedChunks(b, B, L);
        expectExact(plan.order, ref('chunk.order'), 'chunk.order');
        expectExact(plan.numTokens, ref('chunk.num_tokens'), 'chunk.num_tokens');
        expectExact(plan.nextMask, ref('chunk.mask'), 'chunk.mask');
        expect(plan.maxChunks).toBe(config.dims.M);
        expectF32(chunkMasked(ref('in.h'), plan), ref('chunk.hidden'), 'chunk.hidden');
      });
    });

    it.each(KERNELS)('dechunk layer (mask mode, %s kernel): p_sel, plug-back index, dt, x, B, EMA, output', (kernel) => {
      tf.tidy(() => {
        const plan = planMaskedChunks(Uint8Array.from(host('routing.boundary_mask')), B, L);
        const firstM = Array.from({ length: B }, (_, b) => Array.from(plan.order.subarray(b * L, b * L + plan.maxChunks))).flat();
        expectExact(firstM, ref('dechunk.order'), 'dechunk.order');
        expectExact(plan.plugBack, ref('dechunk.plug_back_idx'), 'dechunk.plug_back_idx');
        const d = dechunkMasked(ref('in.z'), ref('routing.p'), plan, kernel);
        expectF32(d.pSel, ref('dechunk.p_sel'), 'dechunk.p_sel');
        const k = tag(kernel);
        expectF32(d.dt, ref(`dechunk.${k}.dt`), `dechunk.${k}.dt`);
        expectF32(d.x, ref(`dechunk.${k}.x`), `dechunk.${k}.x`);
        if (kernel === 'bfloat16') expectF32(d.beta, ref('dechunk.bf16.b'), 'dechunk.bf16.b');
        expectF32(d.ema, ref(`dechunk.${k}.ema`), `dechunk.${k}.ema`);
        expectF32(d.out, ref(`dechunk.${k}.out`), `dechunk.${k}.out`);
      });
    });

    it('residual projection, STE forward value (exactly 1) and y = out·STE(c) + r for both kernels', () => {
      tf.tidy(() => {
        const h = ref('in.h');
        const r = model.backbone.residualProj.forward(h);
        expectF32(r, ref('residual.r'), 'residual.r');
        const out = routing().forwardMasked(h, mask());
        const ste = straightThrough(out.selectedProbs);
        expectExact(ste, ref('residual.ste_fwd'), 'residual.ste_fwd');
        const plan = planMaskedChunks(out.boundaries, B, L);
        for (const kernel of KERNELS) {
          const y = tf.add(tf.mul(dechunkMasked(ref('in.z'), out.p, plan, kernel).out, tf.expandDims(ste, -1)), r);
          expectF32(y, ref(`residual.y.${tag(kernel)}`), `residual.y.${tag(kernel)}`);
        }
      });
    });

    it('ratio loss, mask and packed mode, both targets', () => {
      tf.tidy(() => {
        const masked = [host('routing.boundary_mask'), ref('routing.p')] as const;
        const packed = [host('packed.boundary_mask'), ref('packed.p')] as const;
        for (const [mode, [b, p]] of [['mask', masked], ['packed', packed]] as const) {
          config.ratio_N.forEach((n, i) => {
            const { loss, F, G } = ratioLoss(b, p, n);
            expectF32(tf.reshape(loss, [1]), ref(`ratio.${mode}.N${i}.loss`), `ratio.${mode}.N${i}.loss`);
            expect(F).toBeCloseTo(host(`ratio.${mode}.F`)[0] as number, 6);
            expectF32(tf.reshape(G, [1]), ref(`ratio.${mode}.G`), `ratio.${mode}.G`);
          });
        }
      });
    });

    it('gradients of S = Σ R·y (routing, STE, EMA, residual) and of the ratio loss (README 4.7)', () => {
      const h = tf.variable(ref('in.h'));
      const z = tf.variable(ref('in.z'));
      const rm = routing();
      const rp = model.backbone.residualProj;
      const vars = [rm.qProj.weight, rm.kProj.weight, rp.weight, rp.bias as tf.Variable, h, z];
      const { value, grads } = tf.variableGrads(() => {
        const out = rm.forwardMasked(h, mask());
        const plan = planMaskedChunks(out.boundaries, B, L);
        const y = tf.add(tf.mul(dechunkMasked(z, out.p, plan, 'float32').out, tf.expandDims(straightThrough(out.selectedProbs), -1)), rp.forward(h));
        return tf.sum(tf.mul(ref('grad.in.R'), y)) as tf.Scalar;
      }, vars);
      tf.tidy(() => {
        expectF32(tf.reshape(value, [1]), ref('grad.S'), 'grad.S');
        // Linear weights are kept [in, out]; the fixture's are torch's [out, in].
        const g = (v: tf.Variable) => grads[v.name] as tf.Tensor;
        expectF32(tf.transpose(g(rm.qProj.weight)), ref('grad.dS.W_q'), 'grad.dS.W_q', 'grad');
        expectF32(tf.transpose(g(rm.kProj.weight)), ref('grad.dS.W_k'), 'grad.dS.W_k', 'grad');
        expectF32(tf.transpose(g(rp.weight)), ref('grad.dS.W_r'), 'grad.dS.W_r', 'grad');
        expectF32(g(rp.bias as tf.Variable), ref('grad.dS.b_r'), 'grad.dS.b_r', 'grad');
        expectF32(g(h), ref('grad.dS.h'), 'grad.dS.h', 'grad');
        expectF32(g(z), ref('grad.dS.z'), 'grad.dS.z', 'grad');
      });
      const ratio = tf.variableGrads(() => {
        const out = rm.forwardMasked(h, mask());
        return ratioLoss(out.boundaries, out.p, config.ratio_N[0]).loss;
      }, [rm.qProj.weight, rm.kProj.weight]);
      tf.tidy(() => {
        expectF32(tf.transpose(ratio.grads[rm.qProj.weight.name] as tf.Tensor), ref('grad.dLratio.W_q'), 'grad.dLratio.W_q', 'grad');
        expectF32(tf.transpose(ratio.grads[rm.kProj.weight.name] as tf.Tensor), ref('grad.dLratio.W_k'), 'grad.dLratio.W_k', 'grad');
      });
      tf.dispose([value, ratio.value, ...Object.values(grads), ...Object.values(ratio.grads), h, z]);
    });

    it.each(KERNELS)('packed layout (%s kernel): routing over the crossing pair, chunks, cu_seqlens, seq_idx, dechunk', (kernel) => {
      tf.tidy(() => {
        const cu = host('packed.in.cu_seqlens');
        const out = routing().forwardPacked(ref('packed.in.h'), cu);
        expectF32(out.cos, ref('packed.cos'), 'packed.cos');
        expectF32(out.p, ref('packed.p'), 'packed.p');
        expectExact(out.boundaries, ref('packed.boundary_mask'), 'packed.boundary_mask');
        expectF32(out.selectedProbs, ref('packed.selected_probs'), 'packed.selected_probs');
        const plan = planPackedChunks(out.boundaries, cu);
        expectExact(plan.nextCuSeqlens, ref('packed.chunk.cu_seqlens'), 'packed.chunk.cu_seqlens');
        expectExact(plan.seqIdx, ref('packed.dechunk.seq_idx'), 'packed.dechunk.seq_idx');
        expectF32(chunkPacked(ref('packed.in.h'), plan), ref('packed.chunk.hidden'), 'packed.chunk.hidden');
        expectF32(dechunkPacked(ref('packed.in.z'), out.p, plan, kernel).out, ref(`packed.dechunk.${tag(kernel)}.out`), `packed.dechunk.${tag(kernel)}.out`);
      });
    });

    it('edge cases: exact p = 0.5 ties are not boundaries, p = 1 inside a row, zero and tiny vectors (identity init)', () => {
      const fresh = new RoutingModule(D0);
      tf.tidy(() => {
        const h = ref('edge.in.h');
        const length = h.shape[1] as number;
        const out = fresh.forwardMasked(h, new Uint8Array(length).fill(1));
        expectF32(out.cos, ref('edge.cos'), 'edge.cos');
        expectF32(out.p, ref('edge.p'), 'edge.p');
        expectExact(out.boundaries, ref('edge.boundary_mask'), 'edge.boundary_mask');
        expectF32(out.selectedProbs, ref('edge.selected_probs'), 'edge.selected_probs');
        expect(Array.from(out.p.dataSync()).filter((p) => p === 0.5)).toHaveLength(3);
        const plan = planMaskedChunks(out.boundaries, 1, length);
        const d = dechunkMasked(ref('edge.in.z'), out.p, plan, 'float32');
        expectF32(d.pSel, ref('edge.dechunk.p_sel'), 'edge.dechunk.p_sel');
        expectF32(d.out, ref('edge.dechunk.f32.out'), 'edge.dechunk.f32.out');
      });
      fresh.dispose();
    });

    it.each(KERNELS)('one-stage H-Net forward (mask mode, %s kernel): every hooked intermediate and the logits', (kernel) => {
      const taps = new Map<string, tf.Tensor>();
      const ids = tf.cast(ref('full.in.input_ids'), 'int32');
      const result = model.forwardMasked(ids, host('full.in.mask'), { kernel, taps: (name, t) => taps.set(name, tf.keep(t.clone())) });
      const k = tag(kernel);
      const expected: Record<string, string> = {
        emb: 'full.emb',
        enc_out: 'full.enc_out',
        residual: 'full.residual',
        cos: 'full.cos',
        p: 'full.p',
        selected_probs: 'full.selected_probs',
        'chunk.hidden': 'full.chunk.hidden',
        'main.in': 'full.main.in',
        'main.out_wide': 'full.main.out_wide',
        'main.out': 'full.main.out',
        dechunk_out: `full.${k}.dechunk_out`,
        dec_in: `full.${k}.dec_in`,
        dec_out: `full.${k}.dec_out`,
        logits: `full.${k}.logits`,
      };
      for (const [tap, name] of Object.entries(expected)) expectF32(taps.get(tap) as tf.Tensor, ref(name), name);
      expectExact(result.boundaries, ref('full.boundary_mask'), 'full.boundary_mask');
      expectExact(result.plan.nextMask, ref('full.chunk.mask'), 'full.chunk.mask');
      tf.tidy(() => {
        config.ratio_N.forEach((n, i) => expectF32(tf.reshape(ratioLoss(result.boundaries, result.p, n).loss, [1]), ref(`full.ratio.N${i}.loss`), `full.ratio.N${i}.loss`));
      });
      tf.dispose([ids, result.logits, result.p, ...taps.values()]);
    });

    it('one-stage H-Net gradients of CE + α·L_ratio (README 4.7): W_q, W_k, W_r, b_r, pad_dimension', () => {
      const lengths = config.dims.lengths;
      const ids = tf.cast(ref('full.in.input_ids'), 'int32');
      const idsHost = host('full.in.input_ids');
      const bb = model.backbone;
      const pad = bb.mainNetwork.padDimension as tf.Variable;
      const vars = [bb.routingModule.qProj.weight, bb.routingModule.kProj.weight, bb.residualProj.weight, bb.residualProj.bias as tf.Variable, pad];
      // Pairs (b, t) with t ≤ lengths[b] − 2 predict input_ids[b, t + 1].
      const rows: number[] = [];
      const targets: number[] = [];
      lengths.forEach((n, b) => {
        for (let t = 0; t + 1 < n; t++) {
          rows.push(b * L + t);
          targets.push(idsHost[b * L + t + 1] as number);
        }
      });
      let ce = 0;
      const { value, grads } = tf.variableGrads(() => {
        const out = model.forwardMasked(ids, host('full.in.mask'), { kernel: 'float32' });
        const logits = tf.gather(tf.reshape(out.logits, [B * L, -1]), tf.tensor1d(rows, 'int32'));
        const nll = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.tensor1d(targets, 'int32'), logits.shape[1] as number)), 1)));
        ce = nll.dataSync()[0] as number;
        return tf.add(nll, tf.mul(config.ratio_alpha_in_full_grad, ratioLoss(out.boundaries, out.p, config.ratio_N[0]).loss)) as tf.Scalar;
      }, vars);
      expect(ce).toBeCloseTo(host('full.grad.ce')[0] as number, 4);
      tf.tidy(() => {
        expectF32(tf.reshape(value, [1]), ref('full.grad.S'), 'full.grad.S');
        const g = (v: tf.Variable) => grads[v.name] as tf.Tensor;
        expectF32(tf.transpose(g(vars[0] as tf.Variable)), ref('full.grad.dS.W_q'), 'full.grad.dS.W_q', 'grad');
        expectF32(tf.transpose(g(vars[1] as tf.Variable)), ref('full.grad.dS.W_k'), 'full.grad.dS.W_k', 'grad');
        expectF32(tf.transpose(g(vars[2] as tf.Variable)), ref('full.grad.dS.W_r'), 'full.grad.dS.W_r', 'grad');
        expectF32(g(vars[3] as tf.Variable), ref('full.grad.dS.b_r'), 'full.grad.dS.b_r', 'grad');
        expectF32(g(pad), ref('full.grad.dS.pad_dimension'), 'full.grad.dS.pad_dimension', 'grad');
      });
      tf.dispose([ids, value, ...Object.values(grads)]);
    });

    it('one-stage H-Net forward in packed mode (float32 kernel): p, boundaries, logits, ratio losses', () => {
      const ids = tf.cast(ref('fullpacked.in.input_ids'), 'int32');
      const result = model.forwardPacked(ids, host('packed.in.cu_seqlens'), { kernel: 'float32' });
      expectF32(result.p, ref('fullpacked.p'), 'fullpacked.p');
      expectExact(result.boundaries, ref('fullpacked.boundary_mask'), 'fullpacked.boundary_mask');
      expectF32(result.logits, ref('fullpacked.f32.logits'), 'fullpacked.f32.logits');
      tf.tidy(() => {
        config.ratio_N.forEach((n, i) => expectF32(tf.reshape(ratioLoss(result.boundaries, result.p, n).loss, [1]), ref(`fullpacked.ratio.N${i}.loss`), `fullpacked.ratio.N${i}.loss`));
      });
      tf.dispose([ids, result.logits, result.p]);
    });

    it('streaming step (README 4.8): a parallel prefill of P positions, then one step per position, row by row', () => {
      const P = config.stream_prefill;
      const hAll = ref('stream.in.h');
      const zAll = ref('stream.in.z');
      const pOut: number[] = [];
      const bOut: number[] = [];
      tf.tidy(() => {
        const rows: tf.Tensor[] = [];
        for (let row = 0; row < B; row++) {
          const h = tf.slice(hAll, [row, 0, 0], [1, L, D0]);
          const z = tf.slice(zAll, [row, 0, 0], [1, -1, D0]);
          const pre = routing().forwardMasked(tf.slice(h, [0, 0, 0], [1, P, D0]), new Uint8Array(P).fill(1));
          const plan = planMaskedChunks(pre.boundaries, 1, P);
          const parallel = dechunkMasked(tf.slice(z, [0, 0, 0], [1, plan.maxChunks, D0]), pre.p, plan, 'float32');
          const outs: tf.Tensor[] = [tf.squeeze(parallel.out, [0])];
          pOut.push(...pre.p.dataSync());
          bOut.push(...pre.boundaries);
          let last = tf.slice(parallel.out, [0, P - 1, 0], [1, 1, D0]).reshape([1, D0]);
          let used = plan.maxChunks;
          for (let t = P; t < L; t++) {
            const p = routing().stepProbability(tf.slice(h, [0, t - 1, 0], [1, 1, D0]).reshape([1, D0]), tf.slice(h, [0, t, 0], [1, 1, D0]).reshape([1, D0]));
            const pv = p.dataSync()[0] as number;
            const boundary = pv > Math.fround(1 - pv) ? 1 : 0;
            pOut.push(pv);
            bOut.push(boundary);
            const zt = boundary ? tf.slice(z, [0, used++, 0], [1, 1, D0]).reshape([1, D0]) : tf.zeros([1, D0]);
            last = dechunkStep(last, zt, p, Uint8Array.of(boundary));
            outs.push(last);
          }
          rows.push(tf.concat(outs, 0));
          // The whole row in one parallel pass gives the same output (README: 3.6e-7).
          const whole = routing().forwardMasked(h, new Uint8Array(L).fill(1));
          expectF32(dechunkMasked(tf.slice(z, [0, 0, 0], [1, planMaskedChunks(whole.boundaries, 1, L).maxChunks, D0]), whole.p, planMaskedChunks(whole.boundaries, 1, L), 'float32').out, tf.slice(ref('stream.parallel_out'), [row, 0, 0], [1, L, D0]), 'stream.parallel_out');
        }
        expectExact(bOut, ref('stream.boundary_mask'), 'stream.boundary_mask');
        expectF32(tf.tensor(pOut, [B, L]), ref('stream.p'), 'stream.p');
        expectF32(tf.stack(rows), ref('stream.out'), 'stream.out');
      });
    });
  });
});

describe('H-Net config', () => {
  it('tied embeddings: no lm_head.weight, and the logits are those of an untied model whose head is the embedding', async () => {
    await initBackend({ prefer: 'wasm' });
    const weights = readWeights(`${HNET_DIR}model.safetensors`);
    const baseline = tf.memory().numTensors;
    const tied = new HNetForCausalLM({ ...config.hnet_config, tie_embeddings: true });
    const untied = new HNetForCausalLM(config.hnet_config);
    const { ['lm_head.weight']: _head, ...withoutHead } = weights;
    tied.loadStateDict(withoutHead, { source: 'tied' });
    untied.loadStateDict({ ...withoutHead, 'lm_head.weight': weights['embeddings.weight'] as tf.Tensor }, { source: 'untied' });
    const saved = tied.stateDict();
    expect(Object.keys(saved)).not.toContain('lm_head.weight');
    expect(Object.keys(saved)).toContain('embeddings.weight');
    tf.dispose(Object.values(saved));
    const ids = tf.tensor2d(Int32Array.from({ length: 2 * 24 }, (_, i) => (i * 37) % 256), [2, 24], 'int32');
    const a = tied.forwardMasked(ids);
    const b = untied.forwardMasked(ids);
    expectF32(a.logits, b.logits, 'tied logits');
    tf.dispose([ids, a.logits, a.p, b.logits, b.p]);
    tied.dispose();
    untied.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    tf.dispose(Object.values(weights));
  });

  it('refuses what is not covered with the field path: nested stages, an inner width below the outer', () => {
    const bad = (config: unknown) => {
      try {
        new HNetForCausalLM(config as never);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).path;
      }
      throw new Error('accepted');
    };
    expect(bad({ ...config.hnet_config, arch_layout: ['m2', ['m2', ['T2'], 'm2'], 'm2'] })[0]).toBe('arch_layout');
    expect(bad({ ...config.hnet_config, d_model: [48, 32] })).toEqual(['d_model']);
    expect(bad({ ...config.hnet_config, arch_layout: ['x3', ['T2'], 'm2'] })).toEqual(['arch_layout', 0]);
  });
});
