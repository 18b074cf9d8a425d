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
 * itself (`nextx doctor`), so the cpu backend is marked as already used as soon as tfjs is loaded. The flags that also
 * hide it (IS_TEST, PROD) change tfjs's behaviour (IS_TEST turns on per-kernel leak checks), so they are not used.
 */
function quietCpuUpsell(): void {
  const cpu = tf.findBackend('cpu') as (tf.KernelBackend & { firstUse?: boolean }) | null;
  if (cpu && cpu.firstUse === true) cpu.firstUse = false;
}
quietCpuUpsell();
