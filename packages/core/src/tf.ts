/**
 * The one tfjs instance of nextx. Domain packages import `tf` from `@nextx/core`, never their own copy,
 * so that every tensor lives in one engine. `@tensorflow/tfjs` (not bare tfjs-core) is used because it is
 * what registers the gradients in Node, and it is the package tfjs-node / tfjs-node-gpu extend.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
