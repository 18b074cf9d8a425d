import { initBackend } from '@nextx/core';

/** Backends the medical tests run on here (no cuda/native on CI machines). */
export const TEST_BACKENDS = ['wasm', 'cpu'] as const;

export async function useBackend(name: (typeof TEST_BACKENDS)[number]): Promise<void> {
  await initBackend({ prefer: name });
}
