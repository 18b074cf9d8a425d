import { initBackend } from '@nextx/core';

/** Backends the vision tests run on here (no cuda/native on CI machines). */
export const TEST_BACKENDS = ['wasm', 'cpu'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

export async function useBackend(name: TestBackend): Promise<void> {
  await initBackend({ prefer: name });
}
