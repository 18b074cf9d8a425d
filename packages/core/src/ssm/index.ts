export { ssdChunked, ssdStep, type SsdInputs, type SsdResult, type SsdStepInputs } from './ssd-scan.js';
export { DepthwiseCausalConv1d } from './depthwise-causal-conv1d.js';
export { Mamba2, type Mamba2Options } from './mamba2.js';
export { LayerSsmState, SsmStateCache } from './ssm-state-cache.js';
