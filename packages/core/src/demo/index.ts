export * from './byte-gpt/index.js';
export { runCoreDemo, type CoreDemoOptions } from './core-demo.js';
export { DEMO_CORPUS } from './demo-corpus.js';
