export { plugin } from './plugin.js';
export { plugin as default } from './plugin.js';
export * from './kspace/index.js';
export * from './metrics/index.js';
export * from './data/index.js';
export * from './recon/index.js';
export * from './levels/index.js';
export * from './tokenizer/index.js';
export * from './mri-nas/index.js';
