import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { gelu, geluTanh, silu, swiglu } from '../../src/nn/activations.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose } from './util.js';

const xs = [-2, -1, -0.5, 0, 0.5, 1, 2, 3];
// 0.5·x·(1 + erf(x/√2)) in float64; e.g. GELU(1) = Φ(1) = 0.8413447460685429.
const GELU_EXACT = [
  -0.04550026389635842, -0.15865525393145707, -0.15426876936299344, 0, 0.34573123063700656, 0.8413447460685429,
  1.9544997361036416, 2.99595030590511,
];
// 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))): differs from the exact form in the 4th decimal.
const GELU_TANH = [
  -0.04540230591222494, -0.15880800939172324, -0.15428599017485606, 0, 0.34571400982514394, 0.8411919906082768,
  1.954597694087775, 2.996362607918227,
];
const SILU = [
  -0.2384058440442351, -0.2689414213699951, -0.1887703343990727, 0, 0.3112296656009273, 0.7310585786300049,
  1.7615941559557646, 2.8577223804672998,
];

describe.each(TEST_BACKENDS)('activations on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it('GELU exact (erf) and tanh flavours match their closed forms and differ from each other', () => {
    const x = tf.tensor1d(xs);
    const exact = gelu(x);
    const approx = geluTanh(x);
    expectClose(exact, GELU_EXACT, 2e-6);
    expectClose(approx, GELU_TANH, 2e-6);
    // The two flavours are distinguishable at this tolerance (a swapped flavour would fail above).
    expect(Math.abs((exact.dataSync()[5] as number) - (approx.dataSync()[5] as number))).toBeGreaterThan(1e-4);
    tf.dispose([x, exact, approx]);
  });

  it('SiLU is x·σ(x) and SwiGLU is SiLU(gate)·up', () => {
    const x = tf.tensor1d(xs);
    const up = tf.tensor1d(xs.map((_, i) => i - 3));
    const s = silu(x);
    const g = swiglu(x, up);
    expectClose(s, SILU, 2e-6);
    expectClose(
      g,
      SILU.map((v, i) => v * (i - 3)),
      1e-5,
    );
    tf.dispose([x, up, s, g]);
  });
});
