import { fileURLToPath } from 'node:url';

/**
 * The small Fashion-MNIST VAR this package ships (assets/fashion-mnist-var: config.json, model.safetensors,
 * vae.safetensors; the README says how it was trained). `loadVarCheckpoint(DEMO_CHECKPOINT)` loads it; it is what
 * `nextx generate vision/var` and `nextx eval vision/var` use by default.
 */
export const DEMO_CHECKPOINT = fileURLToPath(new URL('../../assets/fashion-mnist-var/', import.meta.url));
