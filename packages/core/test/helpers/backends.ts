import { initBackend } from '../../src/backend/init-backend.js';
import type { BackendName } from '../../src/backend/backend-name.js';

/** The backends every core test runs on here (no cuda/native on CI machines). */
export const TEST_BACKENDS: readonly BackendName[] = ['wasm', 'cpu'];

export async function useBackend(name: BackendName): Promise<void> {
  await initBackend({ prefer: name });
}
