import { beforeAll, describe, expect, it } from 'vitest';
import { readWeights, tf } from '@nextx/core';
import { ArnetModel } from '../../src/arnet/model.js';
import { lambdaMax, parseArnetConfig, type ArnetConfig, type ArnetTrainConfigInput } from '../../src/arnet/config.js';
import { arnetGradients, evaluateLoss, trainArnet, type ArnetStepRecord } from '../../src/arnet/train.js';
import { arnetLoss } from '../../src/arnet/loss.js';
import { SparsityRamp, sparsityRegulariser } from '../../src/arnet/sparsity.js';
import { estimateNoise, slidingWindows, splitWindowsByFraction, type Windows } from '../../src/data/windows.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { liveTensors } from '../helpers/memory.js';
import { caseTensor, fixtureConfig, fixtureFile, readCases, type CaseTensor } from '../helpers/fixture.js';
import { expectClose } from '../helpers/close.js';

interface ArnetFixtureConfig {
  ARNet: Record<string, unknown> & { n_epoch: number; lr: number; train_bs: number; est_noise: number };
  TabularModel_lin: { layers: number[] };
  TabularModel_hidden: { layers: number[] };
  SparsifyAR: { reg_strength: number };
  fit_one_cycle: { div: number; div_final: number; pct_start: number; moms: [number, number, number] };
  optimizer: { sqr_mom: number; eps: number; wd: number };
  data: { n_train: number; n_valid: number; shuffle: boolean; drop_last: boolean; n_iter: number };
  reg_cases: Record<string, { c1: number; c2: number }>;
  sched_cases: Record<string, { start_pct: number; full_pct: number; lam_max: number; n_epoch: number; n_iter: number }>;
  lam_max: Record<string, number>;
}

const FIXTURE = 'arnet-tiny-a';
const fixture = fixtureConfig<ArnetFixtureConfig>(FIXTURE);
const cases = readCases(FIXTURE);
const get = (name: string): CaseTensor => caseTensor(cases, name);
const values = (name: string): Float64Array => get(name).values;
const tensor = (name: string): tf.Tensor => tf.tensor(Float32Array.from(get(name).values), get(name).shape, 'float32');
const host = (t: tf.Tensor): Float32Array => {
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
};

// Float32 against the float32 official run (the README's float64 reference reaches 4.7e-7 abs, 4e-7 rel); the
// 5-step trajectories stay inside the same bound.
const ATOL = 1e-6;
const RTOL = 1e-5;

/** Linear weights are kept [in, out]; torch's are [out, in] (the transpose is its own inverse). */
const torchLayout = (name: string, t: tf.Tensor): tf.Tensor => (name.endsWith('weight') ? tf.transpose(t) : tf.clone(t));

type Run = 'lin' | 'hid' | 'lin_noreg';

/** The model config of a run, from the fixture's own ARNet(...) and TabularModel arguments. */
function modelConfig(run: Run): ArnetConfig {
  const { n_epoch: _e, lr: _l, train_bs: _b, ...arnet } = fixture.ARNet;
  return parseArnetConfig({
    ...arnet,
    layers: run === 'hid' ? fixture.TabularModel_hidden.layers : fixture.TabularModel_lin.layers,
    reg_strength: fixture.SparsifyAR.reg_strength,
    ...(run === 'lin_noreg' ? { sparsity: null } : {}),
  });
}

function trainConfig(): ArnetTrainConfigInput {
  const { n_epoch, lr, train_bs } = fixture.ARNet;
  const { div, div_final, pct_start, moms } = fixture.fit_one_cycle;
  const { sqr_mom, eps, wd } = fixture.optimizer;
  const { shuffle, drop_last } = fixture.data;
  return { n_epoch, lr, train_bs, div, div_final, pct_start, moms, sqr_mom, eps, wd, shuffle, drop_last };
}

const weightsFile = (run: Run, format: 'safetensors' | 'pth') => fixtureFile(FIXTURE, `${run === 'hid' ? 'model_hidden' : 'model'}.${format}`);

function loadModel(run: Run, format: 'safetensors' | 'pth' = 'safetensors'): ArnetModel {
  const model = new ArnetModel(modelConfig(run));
  const weights = readWeights(weightsFile(run, format));
  try {
    model.loadStateDict(weights, { source: weightsFile(run, format) });
  } finally {
    tf.dispose(Object.values(weights));
  }
  return model;
}

function windowsOf(prefix: 'train' | 'valid'): Windows {
  const x = get(`data.x_${prefix}`);
  const y = get(`data.y_${prefix}`);
  return { n: x.shape[0] as number, lag: x.shape[1] as number, horizon: y.shape[1] as number, x: Float32Array.from(x.values), y: Float32Array.from(y.values) };
}

describe.each(TEST_BACKENDS)('AR-Net parity with arnet-tiny-a on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('tabularises the series oldest lag first, splits by time and estimates the noise (section 3)', () => {
    const { p, h } = { p: modelConfig('lin').ar_order, h: modelConfig('lin').n_forecasts };
    const windows = slidingWindows(values('data.series'), p, h);
    const { train, valid } = splitWindowsByFraction(windows, fixture.data.n_valid / (fixture.data.n_train + fixture.data.n_valid));
    expect([train.n, valid.n]).toEqual([fixture.data.n_train, fixture.data.n_valid]);
    expect(Array.from(train.x)).toEqual(Array.from(values('data.x_train')));
    expect(Array.from(train.y)).toEqual(Array.from(values('data.y_train')));
    expect(Array.from(valid.x)).toEqual(Array.from(values('data.x_valid')));
    expect(Array.from(valid.y)).toEqual(Array.from(values('data.y_valid')));
    expect(estimateNoise(values('data.series'))).toBeCloseTo(values('data.est_noise')[0] as number, 14);
    expect(fixture.ARNet.est_noise).toBeCloseTo(values('data.est_noise')[0] as number, 14);
  });

  it.each(['safetensors', 'pth'] as const)('forward of the linear and hidden-layer models from .%s, and the AR coefficients (section 4)', (format) => {
    const before = liveTensors();
    const x = tensor('fwd.x');
    const lin = loadModel('lin', format);
    const hid = loadModel('hid', format);
    expectClose(host(lin.forward(x)), values('fwd.lin.y'), 'lin.y', ATOL, RTOL);
    expectClose(host(tf.tidy(() => hid.layers.at(0).linear.forward(x))), values('fwd.hid.pre_relu'), 'hid.pre_relu', ATOL, RTOL);
    expectClose(host(hid.forward(x)), values('fwd.hid.y'), 'hid.y', ATOL, RTOL);
    expectClose(lin.coefficients().flat(), values('fwd.lin.coeff'), 'lin.coeff', 0, 0);
    tf.dispose(x);
    lin.dispose();
    hid.dispose();
    expect(liveTensors()).toBe(before);
  });

  it('computes the losses as the official huber (smooth L1, beta 1), mse and mae (section 5)', () => {
    for (const name of ['huber', 'mse', 'mae'] as const) {
      const value = host(tf.tidy(() => arnetLoss(name, tensor('loss.pred'), tensor('loss.targ'))));
      expectClose(value, values(`loss.${name}`), name, ATOL, RTOL);
    }
  });

  it('computes the sparsity regulariser and its gradient for every (c1, c2) case (section 6)', () => {
    for (const [name, { c1, c2 }] of Object.entries(fixture.reg_cases)) {
      const w = tensor('reg.w');
      const { value, grad } = tf.tidy(() => {
        const f = (x: tf.Tensor) => sparsityRegulariser(x, c1, c2);
        return { value: f(w), grad: tf.grad(f)(w) };
      });
      expectClose(host(value), values(`${name}.value`), `${name}.value`, ATOL, RTOL);
      expectClose(host(grad), values(`${name}.grad`), `${name}.grad`, ATOL, RTOL);
      w.dispose();
    }
  });

  it('gives a zero gradient where torch gives NaN (a weight exactly 0), the value and other entries as torch', () => {
    const { c1, c2 } = Object.values(fixture.reg_cases)[0] as { c1: number; c2: number };
    const w = tensor('reg.zero.w');
    const { value, grad } = tf.tidy(() => ({ value: sparsityRegulariser(w, c1, c2), grad: tf.grad((x: tf.Tensor) => sparsityRegulariser(x, c1, c2))(w) }));
    expectClose(host(value), values('reg.zero.value'), 'reg.zero.value', ATOL, RTOL);
    const ours = host(grad);
    const torch = values('reg.zero.grad');
    const wv = values('reg.zero.w');
    wv.forEach((wi, i) => {
      if (wi === 0) {
        expect(Number.isNaN(torch[i]), 'the fixture records NaN at the zero weight').toBe(true);
        expect(ours[i]).toBe(0);
      } else {
        expect(Math.abs((ours[i] as number) - (torch[i] as number))).toBeLessThanOrEqual(ATOL + RTOL * Math.abs(torch[i] as number));
      }
    });
    w.dispose();
  });

  it('ramps λ batch by batch as the official stateful callback, its early return included (section 6)', () => {
    const weight = tf.tidy(() => {
      const model = loadModel('lin');
      const value = sparsityRegulariser(model.inputWeight, fixture.ARNet['reg_c1'] as number, fixture.ARNet['reg_c2'] as number);
      model.dispose();
      return value;
    });
    const r = host(weight)[0] as number;
    for (const [name, c] of Object.entries(fixture.sched_cases)) {
      const ramp = new SparsityRamp(c.lam_max, c.start_pct, c.full_pct, true);
      const lams: number[] = [];
      for (let epoch = 0; epoch < c.n_epoch; epoch++) {
        for (let iter = 0; iter < c.n_iter; iter++) lams.push(ramp.next({ epoch, iter, nEpoch: c.n_epoch, nIter: c.n_iter }));
      }
      expectClose(lams, values(`${name}.lam`), `${name}.lam`, 0, 1e-14);
      expectClose(lams.map((l) => Math.fround(l * r)), values(`${name}.loss_added`), `${name}.loss_added`, 1e-9, RTOL);
    }
  });

  it('without the official early return, λ ramps from start_pct as the paper describes', () => {
    const c = Object.values(fixture.sched_cases).find((s) => s.start_pct > 0);
    expect(c, 'the fixture has a case with start_pct > 0').toBeDefined();
    const { lam_max, start_pct, full_pct, n_epoch, n_iter } = c as NonNullable<typeof c>;
    const ramp = new SparsityRamp(lam_max, start_pct, full_pct);
    const last = Array.from({ length: n_epoch * n_iter }, (_, k) => ramp.next({ epoch: Math.floor(k / n_iter), iter: k % n_iter, nEpoch: n_epoch, nIter: n_iter })).at(-1);
    expect(last).toBe(lam_max);
  });

  const traceRuns = (['lin', 'hid', 'lin_noreg'] as const).flatMap((run) => (['safetensors', 'pth'] as const).map((format) => [run, format] as const));
  it.each(traceRuns)('reproduces the whole training trace of train.%s step by step from .%s (sections 7, 8)', async (run, format) => {
    const before = liveTensors();
    const model = loadModel(run, format);
    const config = modelConfig(run);
    expect(lambdaMax(config, fixture.ARNet.est_noise)).toBeCloseTo(fixture.lam_max[`train.${run}.lam_max`] as number, 15);
    const prefix = `train.${run}`;
    const records: ArnetStepRecord[] = [];
    const gradients: Record<string, Float32Array>[] = [];
    const params: Record<string, Float32Array>[] = [];
    await trainArnet(model, { train: windowsOf('train'), valid: windowsOf('valid') }, trainConfig(), {
      officialRegulariserEarlyReturn: true,
      onGradients: (_record, grads) => {
        gradients.push(Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, host(torchLayout(k, g))])));
      },
      onStep: (record) => {
        records.push(record);
        params.push(Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, host(v)])));
      },
    });
    const steps = records.length;
    expect(steps).toBe(get(`${prefix}.lr`).shape[0]);
    expectClose(records.map((r) => r.lr), values(`${prefix}.lr`), 'lr', 0, 1e-12);
    expectClose(records.map((r) => r.mom), values(`${prefix}.mom`), 'mom', 0, 1e-12);
    expectClose(records.map((r) => r.lam), values(`${prefix}.lam`), 'lam', 0, 1e-12);
    expectClose(records.map((r) => r.pctTrain), values(`${prefix}.pct_train`), 'pct_train', 0, 1e-15);
    expectClose(records.map((r) => r.lossTotal), values(`${prefix}.loss_total`), 'loss_total', ATOL, RTOL);
    expectClose(records.map((r) => r.loss), values(`${prefix}.loss_huber`), 'loss_huber', ATOL, RTOL);
    for (let t = 0; t < steps; t++) {
      for (const [name] of model.namedParameters()) {
        expectClose(gradients[t]?.[name] ?? [], values(`${prefix}.step${t}.grad.${name}`), `step ${t} grad ${name}`, ATOL, RTOL);
        expectClose(params[t]?.[name] ?? [], values(`${prefix}.step${t}.param.${name}`), `step ${t} param ${name}`, ATOL, RTOL);
      }
    }
    expectClose(model.coefficients().flat(), values(`${prefix}.coeff`), 'coeff', ATOL, RTOL);
    const valid = windowsOf('valid');
    expectClose(host(tf.tidy(() => model.forward(tf.tensor2d(valid.x, [valid.n, valid.lag])))), values(`${prefix}.final_pred_valid`), 'final_pred_valid', ATOL, RTOL);
    expect(Number.isFinite(evaluateLoss(model, valid))).toBe(true);
    model.dispose();
    expect(liveTensors()).toBe(before);
  });

  it.each(['lin', 'hid'] as const)('matches each step’s gradient tightly at the recorded parameters of the step before (pitfall 8), train.%s', (run) => {
    const prefix = `train.${run}`;
    const model = loadModel(run);
    const x = tensor('data.x_train');
    const y = tensor('data.y_train');
    const lams = values(`${prefix}.lam`);
    for (let t = 1; t < lams.length; t++) {
      for (const [name, p] of model.namedParameters()) {
        const recorded = get(`${prefix}.step${t - 1}.param.${name}`);
        const value = tf.tensor(Float32Array.from(recorded.values), recorded.shape, 'float32');
        const ours = torchLayout(name, value);
        p.assign(ours);
        tf.dispose([value, ours]);
      }
      const { grads } = arnetGradients(model, x, y, lams[t] as number);
      for (const [name, g] of Object.entries(grads)) {
        expectClose(host(torchLayout(name, g)), values(`${prefix}.step${t}.grad.${name}`), `step ${t} grad ${name}`, ATOL, RTOL);
      }
      tf.dispose(Object.values(grads));
    }
    tf.dispose([x, y]);
    model.dispose();
  });
});
