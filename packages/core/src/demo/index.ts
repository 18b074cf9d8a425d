export * from './byte-gpt/index.js';
export { runCoreDemo, type CoreDemoOptions } from './core-demo.js';
export { DEMO_CORPUS } from './demo-corpus.js';
export { renderLossPlot, smooth, type LossPlotOptions } from './loss-plot.js';
