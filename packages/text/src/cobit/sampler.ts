import {
  InputError,
  churnGammas,
  entropicBlendSigmas,
  entropyChurnWindow,
  karrasLevels,
  parseConfig,
  throwIfAborted,
  tf,
  type ChurnWindow,
  type EntropyProfile,
  type Rng,
} from '@nextx/core';
import { cobitSamplerConfigSchema, type CobitSamplerConfig, type CobitSamplerConfigInput } from './sampler-config.js';
import type { BitDenoiser } from './network/cobit-network.js';

/** Standard normal noise of a run: the initial draw, and the churn draw of each step that is churned. */
export type CobitNoiseSource = (kind: 'init' | 'churn', step: number, shape: readonly [number, number]) => tf.Tensor;

/** Noise from an Rng, in the official order: the initial draw, then one draw per churned step. */
export function rngNoise(rng: Rng): CobitNoiseSource {
  return (_kind, _step, shape) => tf.tensor2d(rng.fillNormal(new Float32Array(shape[0] * shape[1])), [...shape]);
}

/** One network call of a run, in call order (what the official sampler feeds the model). */
export interface CobitCall {
  readonly x: tf.Tensor;
  /** The σ label the network and the matched filter see (after the ATI shift). */
  readonly sigma: number;
  readonly cond: tf.Tensor;
  readonly logits: tf.Tensor;
}

/** One Euler step of a run. */
export interface CobitStep {
  readonly index: number;
  readonly total: number;
  readonly sigma: number;
  readonly gamma: number;
  readonly sigmaHat: number;
  /** x at the start of the step and after churn. */
  readonly xBefore: tf.Tensor;
  readonly xState: tf.Tensor;
  /** The estimate of P(bit = 1) after the step (the self-conditioning carried to the next call). */
  readonly estimate: tf.Tensor;
}

export interface CobitSampleRequest {
  readonly batch: number;
  /** Bits per sample (default the model's training length; any whole number of patches works for CoBit). */
  readonly bits?: number;
  readonly profile?: EntropyProfile;
  readonly noise: CobitNoiseSource;
  readonly signal?: AbortSignal;
  /** Every network call (tensors valid during the callback only). */
  readonly onCall?: (call: CobitCall) => void;
  /** After every Euler step (tensors valid during the callback only). */
  readonly onStep?: (step: CobitStep) => void | Promise<void>;
}

export interface CobitSampleResult {
  readonly sigmas: Float64Array;
  readonly gammas: Float64Array;
  readonly window: ChurnWindow;
  /** The final continuous state and the final denoise's P(bit = 1) [B, S]. */
  readonly x: tf.Tensor;
  readonly probs: tf.Tensor;
  /** probs > 0.5, row-major [B·S]. */
  readonly bits: Uint8Array;
  /** Network calls made (N with carry, 2(N − 1) + 1 with refined). */
  readonly nfe: number;
}

/** The N noise levels of a run (official `SigmaSchedule.prepare`). */
export function cobitSigmas(config: CobitSamplerConfig, sigmaMaxDefault: number, profile: EntropyProfile | undefined): Float64Array {
  const range = { sigmaMin: config.sigmaMin, sigmaMax: config.sigmaMax ?? sigmaMaxDefault };
  if (config.schedule === 'karras') return karrasLevels(config.steps, range, config.rho);
  if (!profile) throw new InputError('the entropic schedule needs the entropy profile of the checkpoint (entropy.safetensors); use schedule karras or compute the profile with `nextx train text/cobit --profile-only`');
  return entropicBlendSigmas(profile, config.steps, range, config.blend, config.rho);
}

/** The churn window and each step's γ (official `resolve_stochastic_cfg` and `_compute_edm_gamma`). */
export function cobitChurn(config: CobitSamplerConfig, sigmas: Float64Array, sigmaMaxDefault: number, profile: EntropyProfile | undefined): { window: ChurnWindow; gammas: Float64Array; sNoise: number } {
  const stochastic = config.stochastic;
  const off = { window: { enabled: false, sTmin: 0, sTmax: Infinity }, gammas: new Float64Array(sigmas.length - 1), sNoise: 1 };
  if (!stochastic) return off;
  const sChurn = stochastic.sChurn ?? (stochastic.gamma as number) * (config.steps - 1);
  const lo = Math.min(config.sigmaMin, config.sigmaMax ?? sigmaMaxDefault);
  const hi = Math.max(config.sigmaMin, config.sigmaMax ?? sigmaMaxDefault);
  const w = stochastic.window;
  let window: ChurnWindow;
  if (w.mode === 'entropy') {
    if (!profile) throw new InputError('the entropy-gated churn window needs the entropy profile of the checkpoint');
    window = entropyChurnWindow(profile, [w.qLo, w.qHi], { sigmaMin: lo, sigmaMax: hi }, sChurn);
  } else if (w.mode === 'full') {
    window = { enabled: sChurn > 0, sTmin: lo, sTmax: hi };
  } else {
    window = { enabled: sChurn > 0, sTmin: w.sTmin ?? lo, sTmax: w.sTmax ?? hi };
  }
  return { window, gammas: churnGammas(sigmas, sChurn, window), sNoise: stochastic.sNoise };
}

/** ATI label shift (official `_ati_shift_sigma_label`): from the state's σ toward the noisier σ by η in log σ. */
export function atiLabel(sigma: number, noisier: number | undefined, eta: number): number {
  if (eta <= 0 || noisier === undefined || noisier <= sigma) return sigma;
  const logS = Math.log(Math.max(sigma, 1e-20));
  const shifted = Math.exp(logS + eta * (Math.log(Math.max(noisier, 1e-20)) - logS));
  return Math.min(Math.max(shifted, sigma), noisier);
}

/**
 * CoBit's sampler (official `DDIMSampler.sample`, spec section 10): from x = ε·σ₀ + ½, N − 1 Euler steps of the
 * probability-flow ODE, each optionally preceded by EDM churn (σ̂ = σ(1 + γ) with fresh noise) where the window
 * allows, the network conditioned on its previous estimate (carry) or on a re-estimate at the new state (refined),
 * and a final denoise at the last level; bits are P(bit = 1) > ½.
 */
export async function sampleCobit(net: BitDenoiser, configInput: CobitSamplerConfigInput, request: CobitSampleRequest): Promise<CobitSampleResult> {
  const config = parseConfig(cobitSamplerConfigSchema, configInput, 'CoBit sampler config');
  const sigmaMaxDefault = net.sigmaMax;
  const sigmas = cobitSigmas(config, sigmaMaxDefault, request.profile);
  const { window, gammas, sNoise } = cobitChurn(config, sigmas, sigmaMaxDefault, request.profile);
  const { batch } = request;
  const shape = [batch, request.bits ?? net.bits] as const;
  const center = net.dataCenter;
  const n = sigmas.length;
  let nfe = 0;
  const call = (x: tf.Tensor, sigma: number, cond: tf.Tensor): tf.Tensor => {
    nfe++;
    const logits = net.logits(x, tf.fill([batch], sigma), cond);
    request.onCall?.({ x, sigma, cond, logits });
    return logits;
  };
  let x = tf.tidy(() => tf.add(tf.mul(request.noise('init', 0, shape), sigmas[0] as number), center));
  let estimate = tf.zeros([...shape]);
  try {
    for (let i = 0; i < n - 1; i++) {
      throwIfAborted(request.signal);
      const sigma = sigmas[i] as number;
      const next = sigmas[i + 1] as number;
      const gamma = gammas[i] as number;
      const sigmaHat = gamma > 0 ? sigma * (1 + gamma) : sigma;
      const stepped = tf.tidy(() => {
        const xState = gamma > 0 ? tf.add(x, tf.mul(tf.mul(request.noise('churn', i, shape), sNoise), Math.sqrt(Math.max(sigmaHat ** 2 - sigma ** 2, 0)))) : x;
        const label = atiLabel(sigmaHat, i > 0 ? (sigmas[i - 1] as number) : undefined, config.ati);
        const denoised = tf.sigmoid(call(xState, label, estimate));
        const slope = tf.mul(tf.div(tf.sub(denoised, xState), sigmaHat * sigmaHat), -sigmaHat);
        const xNext = tf.add(xState, tf.mul(slope, next - sigmaHat));
        const carried = config.selfCondition === 'refined' ? tf.sigmoid(call(xNext, atiLabel(next, sigmaHat, config.ati), denoised)) : denoised;
        return { xState: gamma > 0 ? xState : tf.clone(x), xNext, carried };
      });
      await request.onStep?.({ index: i, total: n - 1, sigma, gamma, sigmaHat, xBefore: x, xState: stepped.xState, estimate: stepped.carried });
      stepped.xState.dispose();
      x.dispose();
      estimate.dispose();
      x = stepped.xNext;
      estimate = stepped.carried;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const label = atiLabel(sigmas[n - 1] as number, n > 1 ? (sigmas[n - 2] as number) : undefined, config.ati);
    const probs = tf.tidy(() => tf.sigmoid(call(x, label, estimate)));
    const bits = Uint8Array.from(probs.dataSync(), (p) => (p > 0.5 ? 1 : 0));
    return { sigmas, gammas, window, x, probs, bits, nfe };
  } catch (error) {
    x.dispose();
    throw error;
  } finally {
    estimate.dispose();
  }
}
