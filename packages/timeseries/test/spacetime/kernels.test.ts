import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@nextx/core';
import { companionKrylovClosedForm, companionMatrix, krylov, normRows } from '../../src/spacetime/companion.js';
import { causalConv } from '../../src/spacetime/fft-conv.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { liveTensors } from '../helpers/memory.js';
import { fixtureConfig } from '../helpers/fixture.js';
import { caseAccess, host } from '../helpers/cases.js';
import { expectClose } from '../helpers/close.js';

const FIXTURE = 'spacetime-tiny-a';
const config = fixtureConfig<{ krylov_cases: Array<{ H: number; N: number; L: number }> }>(FIXTURE);
const { tensor, values, get } = caseAccess(FIXTURE);
// README section 11: a float32 re-implementation is within ~1e-5 relative (to each tensor's largest value).
const RTOL = 1e-5;
const scaleOf = (key: string) => Math.max(...Array.from(values(key), Math.abs));
const close = (got: Float32Array, key: string) => expectClose(got, values(key), key, RTOL * scaleOf(key), 0);

describe.each(TEST_BACKENDS)('SpaceTime kernels against spacetime-tiny-a on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(config.krylov_cases.map((c, j) => [j, c] as const))('kern%i: companion matrix, repeated squaring, states, closed form (%o)', (j, c) => {
    const before = liveTensors();
    const p = tensor(`kern${j}.p`);
    const b = tensor(`kern${j}.b`);
    const cc = tensor(`kern${j}.c`);
    expect(get(`kern${j}.krylov`).shape).toEqual([c.H, c.L]);
    const a = companionMatrix(p);
    close(host(tf.clone(a)), `kern${j}.A`);
    close(host(krylov(c.L, a, b, cc)), `kern${j}.krylov`);
    close(host(krylov(c.L, a, b)), `kern${j}.krylov_state`);
    expectClose(host(krylov(c.L, a, b, cc)), values(`kern${j}.matpow_f64`), 'matpow_f64', RTOL * scaleOf(`kern${j}.matpow_f64`), 0);
    close(host(companionKrylovClosedForm(c.L, p, b, cc)), `kern${j}.companion_krylov`);
    tf.dispose([p, b, cc, a]);
    expect(liveTensors()).toBe(before);
  });

  it('normalises rows by their 1- and 2-norms unless the mean norm is tiny (3.2)', () => {
    const x = tensor('norm.x');
    close(host(normRows(x, 1)), 'norm.ord1');
    close(host(normRows(x, 2)), 'norm.ord2');
    const tiny = tensor('norm.tiny_x');
    expect(Array.from(host(normRows(tiny, 1)))).toEqual(Array.from(host(tf.clone(tiny))));
    close(host(normRows(tiny, 1)), 'norm.tiny_ord1');
    tf.dispose([x, tiny]);
  });

  it('FFT convolution is the causal convolution with the first L kernel taps (4)', () => {
    const u = tensor('fftconv.u');
    const k = tensor('fftconv.k');
    close(host(causalConv(u, k)), 'fftconv.y');
    tf.dispose([u, k]);
  });
});
