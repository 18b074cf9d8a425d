import type { Sampler, SamplerKind, SamplerSpec } from '../contracts/sampler.js';
import { InputError } from '../errors.js';
import { defaultSamplerRegistry, type SamplerRegistry } from './sampler-registry.js';

export interface ResolveSamplerOptions<In, Out> {
  /** The kind of sampler the generator calls (its input and output types follow from it). */
  readonly kind: SamplerKind;
  /** Names the generator in errors (`vision/var`). */
  readonly generator: string;
  /** The sampler to use when none is given. */
  readonly fallback: () => Sampler<In, Out>;
  /** Where sampler names are looked up (default: every built-in sampler). */
  readonly registry?: SamplerRegistry;
}

/**
 * The sampler a generator runs for `GenerateOptions.sampler`: an instance as given, a `{ name, config }` spec built by
 * the registry (its config parsed by the sampler's zod schema), or the generator's default. A sampler of another kind
 * (a diffusion sampler where tokens are drawn) is an InputError.
 */
export function resolveSampler<In, Out>(given: Sampler | SamplerSpec | undefined, options: ResolveSamplerOptions<In, Out>): Sampler<In, Out> {
  if (given === undefined) return options.fallback();
  const sampler = isSampler(given) ? given : (options.registry ?? defaultSamplerRegistry()).create(given);
  if (sampler.kind !== options.kind) {
    throw new InputError(`${options.generator} draws with a ${options.kind} sampler; sampler '${sampler.name}' is ${sampler.kind}`);
  }
  return sampler as Sampler<In, Out>;
}

function isSampler(value: Sampler | SamplerSpec): value is Sampler {
  return typeof (value as Partial<Sampler>).sample === 'function';
}
