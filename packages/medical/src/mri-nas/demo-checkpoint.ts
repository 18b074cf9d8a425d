import { fileURLToPath } from 'node:url';

/** The small model this package trained (assets/mri-nas-demo; README: the command that made it). */
export const DEMO_CHECKPOINT = fileURLToPath(new URL('../../assets/mri-nas-demo/', import.meta.url));

/** Held-out Colin27 test slices at 64×64 (assets/colin27-test-slices.safetensors, `slices` [S, 64, 64]). */
export const DEMO_SLICES = fileURLToPath(new URL('../../assets/colin27-test-slices.safetensors', import.meta.url));
