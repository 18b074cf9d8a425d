import { z } from 'zod';
import {
  EntropyRateBuffer,
  InputError,
  estimateEntropyProfile,
  mixedTrainingSigmas,
  type EntropyProfile,
  type BaseSigmaOptions,
  type ProfileMixture,
  type Rng,
} from '@nextx/core';
import type { CobitCfg } from './config.js';

export interface EntropyControllerOptions {
  readonly bins: number;
  readonly sigmaMin: number;
  readonly sigmaMax: number;
  readonly regularizer: { readonly c: number; readonly n: number };
  readonly power: number;
  readonly bufferSize: number;
  readonly minPerBin: number;
  readonly updateEvery: number;
  /** Draw training σ from the profile (official entropy_use_for_sampling), mixed in by `mixture`. */
  readonly useForSampling: boolean;
  readonly mixture: ProfileMixture;
  readonly base: BaseSigmaOptions;
}

/** The controller's settings from the official cfg tree (`train.entropy_*`, `diffusion.continuous`). */
export function entropyOptionsFromCfg(cfg: CobitCfg): EntropyControllerOptions {
  const t = cfg.train;
  const d = cfg.diffusion.continuous;
  return {
    bins: t.entropy_num_bins,
    sigmaMin: d.sigma_min,
    sigmaMax: d.sigma_max,
    regularizer: { c: t.entropy_regularizer_c, n: t.entropy_regularizer_n },
    power: t.entropy_target === 'sqrt-rate' ? 0.5 : 1,
    bufferSize: t.entropy_buffer_size,
    minPerBin: t.entropy_min_per_bin,
    updateEvery: t.entropy_update_every_steps,
    useForSampling: t.entropy_use_for_sampling,
    mixture: { warmupSteps: t.entropy_warmup_steps, transitionSteps: t.entropy_transition_steps, gammaMax: t.entropy_gamma_max },
    base:
      t.sigma_sampling_strategy === 'log-uniform'
        ? { strategy: 'log-uniform', sigmaMin: d.sigma_min, sigmaMax: d.sigma_max }
        : { strategy: 'log-normal', pMean: d.p_mean, pStd: d.p_std, sigmaMin: d.sigma_min, sigmaMax: d.sigma_max },
  };
}

const profileStateSchema = z.object({ pdf: z.array(z.number()), cdf: z.array(z.number()), sigmas: z.array(z.number()), edges: z.array(z.number()) });
const controllerStateSchema = z.object({ buffer: z.unknown(), profile: profileStateSchema.nullable(), updates: z.number().int().nonnegative() });

/**
 * The training side of the entropy profile (official `EntropyScheduleController`): each step's (σ, metric) pairs go
 * into the FIFO; every `updateEvery` steps, once it holds K·minPerBin pairs, the profile is rebuilt from all of them;
 * training σ are drawn log-normal, and from the profile for a share of rows that ramps up after a warm-up.
 */
export class EntropyController {
  readonly buffer: EntropyRateBuffer;
  private current: EntropyProfile | undefined;
  private rebuilds = 0;

  constructor(readonly options: EntropyControllerOptions) {
    this.buffer = new EntropyRateBuffer(options.bufferSize);
  }

  get profile(): EntropyProfile | undefined {
    return this.current;
  }

  get updates(): number {
    return this.rebuilds;
  }

  drawSigmas(count: number, step: number, rng: Rng): Float32Array {
    const profile = this.options.useForSampling ? this.current : undefined;
    return mixedTrainingSigmas(count, step, { base: this.options.base, mixture: this.options.mixture, ...(profile ? { profile } : {}) }, rng);
  }

  /** Records one step's pairs; rebuilds the profile when due. Returns whether it was rebuilt. */
  record(sigmas: ArrayLike<number>, metrics: ArrayLike<number>, step: number): boolean {
    this.buffer.push(sigmas, metrics);
    if (step % this.options.updateEvery !== 0 || this.buffer.size < this.options.bins * this.options.minPerBin) return false;
    this.rebuild();
    return true;
  }

  /** Rebuilds the profile from every pair held (also at the end of training, so the saved profile is the latest). */
  rebuild(): EntropyProfile {
    this.current = this.estimate();
    this.rebuilds++;
    return this.current;
  }

  /**
   * The profile a checkpoint saves: the current one, or — before the first rebuild (too few pairs yet) — an estimate
   * from the pairs held so far (uniform with none), so that every checkpoint can be sampled from. It does not change
   * the σ draws of training, which wait for the official rebuild rule.
   */
  profileForCheckpoint(): EntropyProfile {
    return this.current ?? this.estimate();
  }

  private estimate(): EntropyProfile {
    const { sigmas, metrics } = this.buffer.pairs();
    const o = this.options;
    return estimateEntropyProfile(sigmas, metrics, { bins: o.bins, sigmaMin: o.sigmaMin, sigmaMax: o.sigmaMax, regularizer: o.regularizer, power: o.power });
  }

  state(): z.infer<typeof controllerStateSchema> {
    const p = this.current;
    return { buffer: this.buffer.state(), profile: p ? { pdf: Array.from(p.pdf), cdf: Array.from(p.cdf), sigmas: Array.from(p.sigmas), edges: Array.from(p.edges) } : null, updates: this.rebuilds };
  }

  static fromState(options: EntropyControllerOptions, state: unknown, source: string): EntropyController {
    const parsed = controllerStateSchema.safeParse(state);
    if (!parsed.success) throw new InputError(`${source}: not an entropy controller state`);
    const controller = new EntropyController(options);
    const restored = EntropyRateBuffer.fromState(parsed.data.buffer, source);
    const { sigmas, metrics } = restored.pairs();
    controller.buffer.push(sigmas, metrics);
    const p = parsed.data.profile;
    if (p) controller.current = { pdf: Float32Array.from(p.pdf), cdf: Float32Array.from(p.cdf), sigmas: Float32Array.from(p.sigmas), edges: Float32Array.from(p.edges) };
    controller.rebuilds = parsed.data.updates;
    return controller;
  }
}
