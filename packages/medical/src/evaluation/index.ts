export { heldOutCases, heldOutSchema, measuredKspace, volumeMetrics, type HeldOutCase, type HeldOutOptions } from './held-out.js';
export { evaluateModel, scoreMethod, scoreModelLevels, zeroFilledOf, type MethodScore } from './evaluate-model.js';
