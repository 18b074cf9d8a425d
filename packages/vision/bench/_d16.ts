import { initBackend, tf } from '@nextx/core';
import { parseVarModelConfig } from '../src/var/config.js';
import { buildVar } from '../src/var/load.js';
await initBackend({ prefer: (process.argv[2] ?? 'wasm') as 'wasm' });
const t0 = performance.now();
const m = buildVar(parseVarModelConfig({ var: { depth: 16 } }), 0);
console.log('build ms', performance.now() - t0, m.transformer.numParameters(), m.vqvae.numParameters(), tf.memory().numBytes/1e9);
m.dispose();
