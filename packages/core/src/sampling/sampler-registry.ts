import type { Sampler, SamplerFactory, SamplerSpec } from '../contracts/sampler.js';
import { parseConfig } from '../config/parse-config.js';
import { PluginError } from '../errors.js';
import { bitwiseSamplerFactory } from './bitwise-sampler.js';
import { categoricalSamplerFactory } from './categorical-sampler.js';
import { diffusionSamplerFactories } from './diffusion/diffusion-sampler-factory.js';
import { flowSamplerFactories } from './diffusion/flow-matching.js';

/** Samplers by name, each with its zod config; plugins may add their own. */
export class SamplerRegistry {
  private readonly factories = new Map<string, SamplerFactory>();

  register<C, I, O>(factory: SamplerFactory<C, I, O>): this {
    if (this.factories.has(factory.name)) throw new PluginError(`a sampler named '${factory.name}' is already registered`);
    this.factories.set(factory.name, factory as unknown as SamplerFactory);
    return this;
  }

  list(): Array<{ name: string; kind: string }> {
    return [...this.factories.values()].map((f) => ({ name: f.name, kind: f.kind }));
  }

  /** Builds a sampler by name; an unknown name lists the known ones, a bad config is a ConfigError with its path. */
  create<In = unknown, Out = unknown>(spec: SamplerSpec | string, config?: unknown): Sampler<In, Out> {
    const { name, config: given } = typeof spec === 'string' ? { name: spec, config } : spec;
    const factory = this.factories.get(name);
    if (!factory) throw new PluginError(`unknown sampler '${name}'; registered: ${[...this.factories.keys()].join(', ')}`);
    return factory.create(parseConfig(factory.configSchema, given ?? {}, `sampler '${name}' config`)) as Sampler<In, Out>;
  }
}

/** A registry holding every built-in sampler. */
export function defaultSamplerRegistry(): SamplerRegistry {
  const registry = new SamplerRegistry().register(categoricalSamplerFactory).register(bitwiseSamplerFactory);
  for (const factory of diffusionSamplerFactories) registry.register(factory);
  for (const factory of flowSamplerFactories) registry.register(factory);
  return registry;
}
