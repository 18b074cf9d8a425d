import { fileURLToPath } from 'node:url';

/** The small model this package trained on moving Fashion-MNIST (assets/moving-fashion-mnist; README for the command). */
export const DEMO_CHECKPOINT = fileURLToPath(new URL('../../assets/moving-fashion-mnist/', import.meta.url));
