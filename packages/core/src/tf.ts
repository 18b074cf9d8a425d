/**
 * The one tfjs instance of nextx. Domain packages import `tf` from `@nextx/core`, never their own copy,
 * so that every tensor lives in one engine. `@tensorflow/tfjs` (not bare tfjs-core) is used because it is
 * what registers the gradients in Node, and it is the package tfjs-node / tfjs-node-gpu extend.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;

/**
 * tfjs-backend-cpu prints "Hi, looks like you are running TensorFlow.js in Node.js…" (an upsell for tfjs-node) on its
 * first tensor write in Node: in every test, every script, every use of the API. nextx reports the native backends
 * itself (`nextx doctor`), so the cpu backend is registered again with a factory that marks each instance as already
 * used (tfjs creates a fresh instance whenever it picks a backend by itself, so marking one instance is not enough).
 * The flags that also hide it (IS_TEST, PROD) change tfjs's behaviour (IS_TEST turns on per-kernel leak checks).
 */
const CPU_PRIORITY = 1; // what tfjs-backend-cpu registers with

function quietCpuUpsell(): void {
  type CpuBackend = tf.KernelBackend & { firstUse?: boolean };
  const instantiated = (tf.engine() as unknown as { registry: Record<string, CpuBackend | undefined> }).registry['cpu'];
  if (instantiated) {
    instantiated.firstUse = false; // in use already (tensors may live on it): leave its registration alone
    return;
  }
  const factory = tf.findBackendFactory('cpu');
  if (!factory) return;
  tf.removeBackend('cpu');
  tf.registerBackend(
    'cpu',
    () => {
      const backend = factory() as CpuBackend;
      backend.firstUse = false;
      return backend;
    },
    CPU_PRIORITY,
  );
}
quietCpuUpsell();
