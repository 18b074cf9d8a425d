import { InputError, defaultSamplerRegistry, flowSamplerFactories, type DiffusionResult, type FlowInput, type GenerateOptions, type Sampler } from '@nextx/core';

/** A flow-matching sampler as the rollout runs it: core's `flow-euler` / `flow-renoise`, or one built with their config. */
export type FlowSampler = Sampler<FlowInput, Promise<DiffusionResult>>;

const FLOW_SAMPLERS = flowSamplerFactories.map((f) => f.name);

/**
 * `GenerateOptions.sampler` for video/stream, never ignored: a flow sampler instance is used as given, a `{ name,
 * config }` spec is built by core's registry (its config checked by the sampler's schema); anything else — a Karras
 * diffusion sampler (it takes σ schedules, not flow levels), a categorical one — is refused, and so is a request that
 * also sets `sampling` (two answers to one question). Undefined when no sampler was passed.
 */
export function flowSamplerOption(given: GenerateOptions['sampler'], requestSampling: unknown): FlowSampler | undefined {
  if (given === undefined) return undefined;
  if (requestSampling !== undefined) {
    throw new InputError('video request: give the sampler either as GenerateOptions.sampler or as the request’s sampling, not both');
  }
  const sampler = typeof (given as Partial<Sampler>).sample === 'function' ? (given as Sampler) : defaultSamplerRegistry().create(given as { name: string; config?: unknown });
  if (!FLOW_SAMPLERS.includes(sampler.name)) {
    throw new InputError(`video/stream denoises with a flow-matching sampler (${FLOW_SAMPLERS.join(', ')}); sampler '${sampler.name}' (${sampler.kind}) is not one`);
  }
  return sampler as FlowSampler;
}
