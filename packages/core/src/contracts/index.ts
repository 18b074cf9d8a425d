export * from './version.js';
export * from './token-space.js';
export * from './tokenizer.js';
export * from './sampler.js';
export * from './denoiser.js';
export * from './events.js';
export * from './generator.js';
export * from './plugin.js';
