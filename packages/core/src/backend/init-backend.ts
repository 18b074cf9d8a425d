import { tf } from '../tf.js';
import { BackendError } from '../errors.js';
import type { BackendPreference } from './backend-name.js';

/**
 * Minimal first version (wasm / cpu only); the backend work of issue #2 replaces it with probing of cuda and
 * native, recorded reasons, kernel patches for wasm and matMul routing.
 */
export async function initBackend(options: { prefer?: BackendPreference } = {}): Promise<string> {
  const prefer = options.prefer ?? 'auto';
  if (prefer === 'wasm' || prefer === 'auto') {
    await import('@tensorflow/tfjs-backend-wasm');
    if (await tf.setBackend('wasm')) return 'wasm';
    if (prefer === 'wasm') throw new BackendError('wasm', 'failed to initialise');
  }
  if (await tf.setBackend('cpu')) return 'cpu';
  throw new BackendError(prefer, 'no backend could be initialised');
}
