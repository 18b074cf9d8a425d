import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BitCodec,
  edmInputScale,
  edmLossWeight,
  entropicBlendSigmas,
  entropicSigmas,
  entropyLogNormalFit,
  entropyQuantile,
  estimateEntropyProfile,
  karrasLevels,
  logNormalSigmas,
  matchedFilterLogits,
  profileSigmasFromUniforms,
  tf,
} from '@nextx/core';
import { loadCobitWeights } from '../../src/cobit/load.js';
import { cobitLossTerms, disposePrepared, prepareCobitBatch } from '../../src/cobit/loss.js';
import type { CobitNetwork } from '../../src/cobit/network/cobit-network.js';
import { sampleCobit, type CobitCall, type CobitStep } from '../../src/cobit/sampler.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { WEIGHT_FORMATS, caseOf, cobitFixtureFile, expectClose, expectExact, profileOf, readCases, readFixtureConfig } from '../helpers/cobit-fixture.js';

// Parity with the official CoBit code on cobit-tiny-a, at the tolerances of its README (section 13): 1e-4·max(1,
// max|ref|) for the forward pass, loss, profile and schedules; 1e-3 for sampler states, 2e-2 for sampler logits; ids,
// bits and gate decisions exact. Everything is built from the fixture's own config.json.
const fixture = readFixtureConfig();
const settings = fixture.fixture_settings;
const { V, bits_per_token: b, S } = fixture.derived;
const TOL = 1e-4;

describe('CoBit codec and preconditioning (backend independent host code)', () => {
  const cases = readCases();
  const c = (name: string) => caseOf(cases, name);
  afterAll(() => tf.dispose(Object.values(cases)));

  it('encodes ids MSB first and decodes every pattern, with and without the mod-V wrap', () => {
    const codec = new BitCodec({ vocabSize: V, width: b });
    expectExact(codec.encodeIds(c('codec.ids').dataSync()), c('codec.bits'), 'codec.bits');
    expectExact(codec.encodeIds(c('codec.seq_ids').dataSync()), c('codec.seq_bits'), 'codec.seq_bits');
    const patterns = new Uint8Array(2 ** b * b);
    for (let v = 0; v < 2 ** b; v++) for (let k = 0; k < b; k++) patterns[v * b + k] = (v >> (b - 1 - k)) & 1;
    expectExact(codec.decodeBits(patterns), c('codec.decode_all_patterns_mod'), 'codec.decode_all_patterns_mod');
    expectExact(new BitCodec({ vocabSize: V, width: b, wrap: 'none' }).decodeBits(patterns), c('codec.decode_all_patterns_nomod'), 'codec.decode_all_patterns_nomod');
    const semantic = new BitCodec({ vocabSize: V, width: b, code: 'gray', ranks: c('codec.semantic_rank').dataSync(), unknownId: fixture.notes.codec.unk_id_semantic });
    expectExact(semantic.encodeIds(Array.from({ length: V }, (_, i) => i)), c('codec.semantic_table'), 'codec.semantic_table');
    expectExact(semantic.decodeBits(patterns), c('codec.semantic_decode_all_patterns'), 'codec.semantic_decode_all_patterns');
  });

  it('computes the training σ draws from the recorded uniforms and normals', () => {
    const profile = profileOf(cases, 'profile');
    const range = { sigmaMin: 0.002, sigmaMax: 80 };
    expectClose(profileSigmasFromUniforms(profile, c('train_sigma.entropic_u1').dataSync(), c('train_sigma.entropic_u2').dataSync(), range), c('train_sigma.entropic'), TOL, 'train_sigma.entropic');
    const draws = [c('train_sigma.lognormal_n1').dataSync(), c('train_sigma.lognormal_n2').dataSync()];
    let call = 0;
    const sigmas = logNormalSigmas(6, { pMean: -1.2, pStd: 1.2, ...range }, (n) => {
      const next = draws[call++] as Float32Array;
      expect(next.length, 'the redraw is as long as the number of rejected slots').toBe(n);
      return next;
    });
    expect(call).toBe(2);
    expectClose(sigmas, c('train_sigma.lognormal'), TOL, 'train_sigma.lognormal');
  });

  it('computes the schedules and quantiles of the fixture profile and of the shipped LM1B table', () => {
    const profile = profileOf(cases, 'profile');
    const range = { sigmaMin: settings.terminal_sigma, sigmaMax: 80 };
    for (const n of settings.schedule_N) {
      expectClose(entropicSigmas(profile, n, range), c(`sched.entropic.N${n}`), TOL, `sched.entropic.N${n}`);
      expectClose(entropicBlendSigmas(profile, n, range, settings.blend), c(`sched.entropic_blend.N${n}`), TOL, `sched.entropic_blend.N${n}`);
      expectClose(karrasLevels(n, range), c(`sched.karras.N${n}`), TOL, `sched.karras.N${n}`);
    }
    const q = Array.from(c('sched.quantile_q').dataSync());
    expectClose(q.map((level) => entropyQuantile(profile, level)), c('sched.quantile_sigma'), TOL, 'sched.quantile_sigma');
    const real = profileOf(cases, 'real');
    for (const n of settings.real_N) expectClose(entropicSigmas(real, n, range), c(`real.sched.N${n}`), TOL, `real.sched.N${n}`);
    expectClose(q.map((level) => entropyQuantile(real, level)), c('real.quantile_sigma'), TOL, 'real.quantile_sigma');
  });

  it('rebuilds the profile tables from the recorded (σ, metric) pairs', () => {
    const { K, c: regC, n: regN } = settings.profile;
    const profile = estimateEntropyProfile(c('profile.sigma').dataSync(), c('profile.metric').dataSync(), { bins: K, sigmaMin: 0.002, sigmaMax: 80, regularizer: { c: regC, n: regN }, power: 0.5 });
    expectClose(profile.pdf, c('profile.pdf'), TOL, 'profile.pdf');
    expectClose(profile.cdf, c('profile.cdf'), TOL, 'profile.cdf');
    expectClose(profile.sigmas, c('profile.mids'), TOL, 'profile.mids');
    expectClose(profile.edges, c('profile.edges'), TOL, 'profile.edges');
    expectClose(entropyLogNormalFit(profile), c('profile.lognormal_fit'), TOL, 'profile.lognormal_fit');
  });
});

describe.each(TEST_BACKENDS)('CoBit parity with cobit-tiny-a on %s', (backend) => {
  describe.each(WEIGHT_FORMATS)('weights from .%s', (format) => {
    let net: CobitNetwork;
    let cases: Record<string, tf.Tensor>;
    const c = (name: string) => caseOf(cases, name);

    beforeAll(async () => {
      await useBackend(backend);
      net = loadCobitWeights({ weights: cobitFixtureFile(`model.${format}`), config: cobitFixtureFile('config.json') });
      cases = readCases();
      // The first forward pass builds the rotary tables the network then keeps (core RotaryEmbedding); later passes
      // must add nothing.
      tf.tidy(() => void net.logits(c('fwd.x_t'), c('fwd.sigma'), c('fwd.x0_hat')));
    });
    afterAll(() => {
      net.dispose();
      tf.dispose(Object.values(cases));
    });

    it('has the official parameter count and positional features', () => {
      expect(net.numParameters()).toBe(fixture.derived.n_params);
      expectClose(net.positionalFeatures, c('model.pos_feats'), TOL, 'model.pos_feats');
    });

    it('computes c_in, the EDM weight, the σ embedding and the matched filter', () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const sigma = c('precond.sigma');
        expectClose(edmInputScale(sigma, 0.5), c('precond.c_in'), TOL, 'precond.c_in');
        expectClose(edmLossWeight(sigma, 0.5), c('precond.loss_weight_edm'), TOL, 'precond.loss_weight_edm');
        const taps = new Map<string, tf.Tensor>();
        const tEmb = net.timeEmbedding(sigma, (name, t) => taps.set(name, tf.keep(t.clone())));
        expectClose(taps.get('time_sin') as tf.Tensor, c('precond.time_sin'), TOL, 'precond.time_sin');
        expectClose(tEmb, c('precond.t_emb'), TOL, 'precond.t_emb');
        expectClose(matchedFilterLogits(c('precond.mf_x'), tf.reshape(sigma, [-1, 1]), { clip: 30 }), c('precond.mf'), TOL, 'precond.mf');
        tf.dispose([...taps.values()]);
      });
      expect(tf.memory().numTensors).toBe(before);
    });

    it.each(['sc', 'nosc'] as const)('runs the forward pass with every intermediate (%s)', (mode) => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const taps = new Map<string, tf.Tensor>();
        const logits = net.logits(c('fwd.x_t'), c('fwd.sigma'), mode === 'sc' ? c('fwd.x0_hat') : null, (name, t) => taps.set(name, tf.keep(t.clone())));
        const names = Object.keys(cases).filter((k) => k.startsWith(`fwd.${mode}.`));
        expect(names.length).toBeGreaterThan(20);
        for (const key of names) {
          const name = key.slice(`fwd.${mode}.`.length);
          const actual = name === 'D' ? tf.sigmoid(logits) : taps.get(name);
          expect(actual, `tap ${name}`).toBeDefined();
          expectClose(actual as tf.Tensor, c(key), TOL, key);
        }
        tf.dispose([...taps.values()]);
      });
      expect(tf.memory().numTensors).toBe(before);
    });

    it.each(['mixed', 'none'] as const)('computes the training step and every loss variant (%s self-conditioning rows)', (mode) => {
      const before = tf.memory().numTensors;
      const batch = prepareCobitBatch(net, c('loss.x0'), { eps: c('loss.eps'), sigma: c('loss.sigma'), scMask: c(`loss.${mode}.sc_mask`).dataSync() });
      tf.tidy(() => {
        expectClose(batch.xT, c(`loss.${mode}.x_t`), TOL, `loss.${mode}.x_t`);
        if (mode === 'mixed') {
          expectClose(batch.x0Hat as tf.Tensor, c('loss.mixed.x0_hat'), TOL, 'loss.mixed.x0_hat');
          // The pre-pass is model(x_t, σ, None) + mf; its rows with m = 1 are x̂₀ (official _step_continuous).
          expectClose(tf.mul(tf.sigmoid(c('loss.mixed.sc_logits')), tf.tensor2d(Array.from(c('loss.mixed.sc_mask').dataSync()), [2, 1])), c('loss.mixed.x0_hat'), TOL, 'loss.mixed.sc_logits → x0_hat');
          expectClose(net.logits(batch.xT, batch.sigma, null), c('loss.mixed.sc_logits'), TOL, 'loss.mixed.sc_logits');
        } else {
          expect(batch.x0Hat, 'no row with m = 1: x̂₀ is None').toBeNull();
        }
        const terms = cobitLossTerms(net, batch);
        expectClose(terms.logits, c(`loss.${mode}.logits`), TOL, `loss.${mode}.logits`);
        expectClose(terms.perPos, c(`loss.${mode}.per_pos`), TOL, `loss.${mode}.per_pos`);
        expectClose(terms.weight, c(`loss.${mode}.weight`), TOL, `loss.${mode}.weight`);
        expectClose(terms.loss, c(`loss.${mode}.loss_edm_sm`), TOL, `loss.${mode}.loss_edm_sm`);
        expectClose(terms.metric, c(`loss.${mode}.entropy_metric`), TOL, `loss.${mode}.entropy_metric`);
        expectClose(cobitLossTerms(net, batch, { lossType: 'binary_sm', weighting: 'unit' }).loss, c(`loss.${mode}.loss_unit_sm`), TOL, `loss.${mode}.loss_unit_sm`);
        expectClose(cobitLossTerms(net, batch, { lossType: 'binary_ce', weighting: 'edm' }).loss, c(`loss.${mode}.loss_edm_ce`), TOL, `loss.${mode}.loss_edm_ce`);
        expectClose(cobitLossTerms(net, batch, { lossType: 'binary_ce', weighting: 'unit' }).loss, c(`loss.${mode}.loss_unit_ce`), TOL, `loss.${mode}.loss_unit_ce`);
      });
      disposePrepared(batch);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('measures the entropy metric of the profile batch and builds the profile from it', () => {
      const codec = new BitCodec({ vocabSize: V, width: b });
      const x0 = codec.encode(c('profile.ids'));
      const batch = prepareCobitBatch(net, x0, { eps: c('profile.eps'), sigma: c('profile.sigma'), scMask: c('profile.sc_mask').dataSync() });
      const metric = tf.tidy(() => cobitLossTerms(net, batch).metric.dataSync());
      disposePrepared(batch);
      x0.dispose();
      expectClose(metric, c('profile.metric'), TOL, 'profile.metric');
      const { K, c: regC, n: regN } = settings.profile;
      const profile = estimateEntropyProfile(c('profile.sigma').dataSync(), metric, { bins: K, sigmaMin: 0.002, sigmaMax: 80, regularizer: { c: regC, n: regN }, power: 0.5 });
      expectClose(profile.pdf, c('profile.pdf'), TOL, 'profile.pdf from our metric');
      expectClose(profile.cdf, c('profile.cdf'), TOL, 'profile.cdf from our metric');
    });

    it.each(settings.runs.map((r) => [r.tag, r] as const))('replays sampler run %s: ids, bits and gates exact', async (tag, run) => {
      const before = tf.memory().numTensors;
      const noiseChurn = tf.unstack(c(`run.${tag}.noise_churn`));
      const calls: CobitCall[] = [];
      const steps: Array<Pick<CobitStep, 'gamma' | 'sigmaHat' | 'xBefore' | 'xState'>> = [];
      const keep = (t: tf.Tensor) => tf.keep(t.clone());
      const result = await sampleCobit(
        net,
        {
          steps: settings.sampler_num_steps,
          sigmaMin: settings.terminal_sigma,
          selfCondition: run.sc,
          ati: run.ati,
          ...(run.stochastic ? { stochastic: { gamma: run.gamma_target as number, sNoise: run.s_noise as number, window: { mode: 'entropy' as const, qLo: run.qlo as number, qHi: run.qhi as number } } } : {}),
        },
        {
          batch: settings.sampler_B,
          profile: profileOf(cases, 'profile'),
          noise: (kind, i) => tf.clone(kind === 'init' ? c(`run.${tag}.noise_init`) : (noiseChurn[i] as tf.Tensor)),
          onCall: (call) => calls.push({ x: keep(call.x), sigma: call.sigma, cond: keep(call.cond), logits: keep(call.logits) }),
          onStep: (s) => void steps.push({ gamma: s.gamma, sigmaHat: s.sigmaHat, xBefore: keep(s.xBefore), xState: keep(s.xState) }),
        },
      );
      expect(calls).toHaveLength(run.n_calls);
      expect(result.nfe).toBe(run.n_calls);
      expectClose(result.sigmas, c(`run.${tag}.sigmas`), TOL, `run.${tag}.sigmas`);
      expectExact(Array.from(result.gammas, (g) => (g > 0 ? 1 : 0)), c(`run.${tag}.gate`), `run.${tag}.gate`);
      expectClose(result.gammas, c(`run.${tag}.gamma`), TOL, `run.${tag}.gamma`);
      expectClose(steps.map((s) => s.sigmaHat), c(`run.${tag}.sigma_hat`), TOL, `run.${tag}.sigma_hat`);
      tf.tidy(() => {
        expectClose(tf.stack(steps.map((s) => s.xBefore)), c(`run.${tag}.x_before`), 1e-3, `run.${tag}.x_before`);
        expectClose(tf.stack(steps.map((s) => s.xState)), c(`run.${tag}.x_state`), 1e-3, `run.${tag}.x_state`);
        expectClose(tf.stack(calls.map((s) => s.x)), c(`run.${tag}.call_x`), 1e-3, `run.${tag}.call_x`);
        expectClose(calls.flatMap((s) => Array.from({ length: settings.sampler_B }, () => s.sigma)), c(`run.${tag}.call_sigma`), TOL, `run.${tag}.call_sigma`);
        expectClose(tf.stack(calls.map((s) => s.cond)), c(`run.${tag}.call_cond`), 1e-3, `run.${tag}.call_cond`);
        expect(Math.max(...tf.abs(tf.sub(tf.stack(calls.map((s) => s.logits)), c(`run.${tag}.call_logits`))).dataSync()), `run.${tag}.call_logits`).toBeLessThanOrEqual(2e-2);
        expectClose(result.x, c(`run.${tag}.x_final`), 1e-3, `run.${tag}.x_final`);
        expectClose(result.probs, c(`run.${tag}.probs_final`), 1e-3, `run.${tag}.probs_final`);
      });
      expectExact(result.bits, c(`run.${tag}.bits`), `run.${tag}.bits`);
      expectExact(new BitCodec({ vocabSize: V, width: b }).decodeBits(result.bits), c(`run.${tag}.ids`), `run.${tag}.ids`);
      expect(result.bits.length).toBe(settings.sampler_B * S);
      tf.dispose([result.x, result.probs, ...noiseChurn, ...calls.flatMap((s) => [s.x, s.cond, s.logits]), ...steps.flatMap((s) => [s.xBefore, s.xState])]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
