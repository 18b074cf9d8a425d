import { beforeAll, describe, expect, it } from 'vitest';
import { readWeights, Rng, tf } from '@nextx/core';
import { parseSpacetimeConfig } from '../../src/spacetime/config.js';
import { SpacetimeModel } from '../../src/spacetime/model.js';
import { DifferencingSsm, MovingAvgResidualSsm, ResidualSsm } from '../../src/spacetime/preprocess.js';
import { krylov } from '../../src/spacetime/companion.js';
import { fitTransform, invertTransform, disposeTransform } from '../../src/spacetime/transforms.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { liveTensors } from '../helpers/memory.js';
import { fixtureConfig, fixtureFile } from '../helpers/fixture.js';
import { caseAccess, host } from '../helpers/cases.js';
import { expectClose } from '../helpers/close.js';

const FIXTURE = 'spacetime-tiny-a';
interface PreCase {
  max_diff_order?: number;
  min_avg_window?: number;
  max_avg_window?: number;
  model_dim?: number;
  n_kernels?: number;
  kernel_dim?: number;
  kernel_repeat?: number;
  head_dim?: number;
  L: number;
}
const fixture = fixtureConfig<{ SpaceTime: unknown; long_horizon: number; train_step: { data_transform: 'mean' }; preprocess_cases: Record<string, PreCase> }>(FIXTURE);
const { tensor, values, get } = caseAccess(FIXTURE);
// README section 11: ~1e-5 relative to each tensor's largest |value| for a float32 re-implementation.
const RTOL = 1e-5;
const scaleOf = (key: string) => Math.max(1e-6, ...Array.from(values(key), Math.abs));
const close = (got: tf.Tensor, key: string, rtol = RTOL) => {
  expect(got.shape, `${key}: shape`).toEqual(get(key).shape);
  return expectClose(host(got), values(key), key, rtol * scaleOf(key), 0);
};

function loadModel(format: 'safetensors' | 'pth'): SpacetimeModel {
  const model = new SpacetimeModel(parseSpacetimeConfig(fixture.SpaceTime));
  const file = fixtureFile(FIXTURE, `model.${format}`);
  const weights = readWeights(file);
  try {
    model.loadStateDict(weights, { source: file });
  } finally {
    tf.dispose(Object.values(weights));
  }
  return model;
}

/** Assigns fixture tensors to a module's state entries by name. */
function assignState(module: { loadStateDict: SpacetimeModel['loadStateDict'] }, entries: Record<string, string>): void {
  const state = Object.fromEntries(Object.entries(entries).map(([name, key]) => [name, tensor(key)]));
  module.loadStateDict(state, { strict: false });
  tf.dispose(Object.values(state));
}

describe.each(TEST_BACKENDS)('SpaceTime parity with spacetime-tiny-a on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('pre-processing layers: differencing (Pascal rows), the identity moving average, the residual layer (6)', () => {
    const before = liveTensors();
    const c = fixture.preprocess_cases;
    const diffCase = c['diff'] as Required<PreCase>;
    const diff = new DifferencingSsm({ ...diffCase, skip_connection: false });
    close(tf.clone(diff.namedBuffers()[0]?.[1] as tf.Tensor), 'pre.diff.kernel_buffer', 0);
    close(diff.kernel(diffCase.L), 'pre.diff.kernel');
    const u = tensor('pre.diff.u');
    close(diff.forward(u), 'pre.diff.y');

    const maCase = c['ma'] as Required<PreCase>;
    const ma = new MovingAvgResidualSsm({ ...maCase, skip_connection: false }, Rng.seeded(0));
    assignState(ma, { ma_window: 'pre.ma.ma_window', kernel: 'pre.ma.kernel_buffer' });
    close(ma.kernel(maCase.L), 'pre.ma.kernel');
    const uMa = tensor('pre.ma.u');
    close(ma.forward(uMa), 'pre.ma.y');
    expectClose(values('pre.ma.y'), values('pre.ma.u'), 'the official moving-average layer is the identity', 1e-5, 0);

    const resCase = c['res'] as Required<PreCase>;
    const res = new ResidualSsm({ ...resCase, skip_connection: false }, Rng.seeded(0));
    close(tf.clone(res.diffKernel), 'pre.res.diff_kernel', 0);
    assignState(res, { ma_r_kernel: 'pre.res.ma_r_kernel' });
    close(res.kernel(resCase.L), 'pre.res.kernel');
    const uRes = tensor('pre.res.u');
    close(res.forward(uRes), 'pre.res.y');
    const short = tensor('pre.res_short.u');
    close(res.kernel((c['res_short'] as PreCase).L), 'pre.res_short.kernel');
    close(res.forward(short), 'pre.res_short.y');
    tf.dispose([u, uMa, uRes, short]);
    [diff, ma, res].forEach((m) => m.dispose());
    expect(liveTensors()).toBe(before);
  });

  it('draws moving-average windows in [min_avg_window, max_avg_window) for a fresh residual layer', () => {
    const resCase = fixture.preprocess_cases['res'] as Required<PreCase>;
    const res = new ResidualSsm({ ...resCase, skip_connection: false }, Rng.seeded(3));
    const rows = res.maKernel.arraySync() as number[][];
    for (const row of rows) {
      const window = row.filter((v, i) => i > 0 && v < 0).length + 1;
      expect(window).toBeGreaterThanOrEqual(resCase.min_avg_window);
      expect(window).toBeLessThan(resCase.max_avg_window);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 6);
    }
    res.dispose();
  });

  it.each(['safetensors', 'pth'] as const)('the whole forward from .%s, layer by layer (7, 8, 9.1)', (format) => {
    const before = liveTensors();
    const model = loadModel(format);
    const x = tensor('net.x');
    const t = fitTransform(fixture.train_step.data_transform, x);
    close(tf.clone(t.u), 'net.u');
    close(tf.clone(t.b), 'net.transform_b');
    const emb = model.embedding.forward(t.u);
    close(tf.clone(emb), 'fwd.embedding');
    let z = emb;
    model.encoder.blocks.items.forEach((block, i) => {
      const trace = block.trace(z);
      for (const part of ['pre', 'ssm', 'mlp', 'out'] as const) close(tf.clone(trace[part]), `fwd.enc${i}.${part}`);
      if (get(`fwd.enc${i}.ssm_kernel`)) close(block.ssm.kernel(model.lag), `fwd.enc${i}.ssm_kernel`);
      if (i === 0) close((block.pre as ResidualSsm).kernel(model.lag), 'fwd.enc0.pre_kernel');
      tf.dispose([z, trace.pre, trace.ssm, trace.mlp]);
      z = trace.out;
    });
    const ssm = model.decoder.blocks.ssm;
    const m = ssm.matrices();
    close(m.aN, 'dec.a_n');
    close(m.bN, 'dec.b_n');
    close(m.cN, 'dec.c_n');
    close(m.kN, 'dec.k_n');
    close(tf.clone(m.A), 'dec.A');
    close(tf.clone(m.ABK), 'dec.A_BK');
    close(krylov(model.lag, m.A, ssm.b), 'dec.k_x');
    const channelsFirst = tf.transpose(z, [0, 2, 1]);
    const xLast = ssm.lastState(m.A, channelsFirst);
    close(tf.clone(xLast), 'dec.x_last');
    close(krylov(model.horizon, m.ABK, xLast), 'dec.rollout_states');
    tf.dispose([m.A, m.ABK, channelsFirst, xLast]);
    const closed = ssm.closedLoop(z, false);
    close(closed.y, 'fwd.dec.closed.y');
    close(closed.next as tf.Tensor, 'fwd.dec.closed.u_next');
    const open = ssm.openLoop(z, false);
    close(open.y, 'fwd.dec.open.y');
    close(open.next as tf.Tensor, 'fwd.dec.open.y_u');
    const out = model.forward(t.u, { inferenceOnly: false });
    close(out.yClosed, 'fwd.y_c');
    close(out.yOpen as tf.Tensor, 'fwd.y_o');
    close(out.zPred as tf.Tensor, 'fwd.z_pred');
    close(out.zTrue as tf.Tensor, 'fwd.z_true');
    tf.dispose([x, z]);
    disposeTransform(t);
    model.dispose();
    expect(liveTensors()).toBe(before);
  });

  it('inference-only forward, a long closed-loop rollout (prefix-consistent) and the output transform (9.1, 9.2)', () => {
    const before = liveTensors();
    const model = loadModel('safetensors');
    const x = tensor('net.x');
    const t = fitTransform(fixture.train_step.data_transform, x);
    const short = model.forward(t.u, { inferenceOnly: true });
    expect(short.yOpen).toBeUndefined();
    close(short.yClosed, 'eval.y_c');
    model.horizon = fixture.long_horizon;
    const long = model.forward(t.u, { inferenceOnly: true });
    close(tf.clone(long.yClosed), 'eval.y_c_long');
    close(invertTransform(t, long.yClosed), 'eval.y_c_long_output_transformed');
    long.yClosed.dispose();
    tf.dispose(x);
    disposeTransform(t);
    model.dispose();
    expect(liveTensors()).toBe(before);
  });
});
