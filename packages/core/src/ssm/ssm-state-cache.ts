import { tf } from '../tf.js';
import { InputError } from '../errors.js';

/**
 * The recurrent state of one state-space layer during generation: the last inputs its causal convolution needs
 * (`conv`, [batch, kernel − 1, channels]) and the SSM state (`ssm`, [batch, heads, headDim, stateDim]). The cache
 * owns its tensors (kept out of callers' tidy scopes) and frees the old ones whenever they are replaced, the
 * recurrent counterpart of a LayerKVCache: constant size, whatever the length of the sequence.
 */
export class LayerSsmState {
  private convState: tf.Tensor | undefined;
  private ssmState: tf.Tensor | undefined;
  private steps = 0;

  /** Positions absorbed so far. */
  get length(): number {
    return this.steps;
  }

  get conv(): tf.Tensor | undefined {
    return this.convState;
  }

  get ssm(): tf.Tensor | undefined {
    return this.ssmState;
  }

  /** Replaces both states (the cache takes its own references) after `added` more positions. */
  update(conv: tf.Tensor, ssm: tf.Tensor, added: number): void {
    const oldConv = this.convState;
    const oldSsm = this.ssmState;
    this.convState = tf.keep(conv.clone());
    this.ssmState = tf.keep(ssm.clone());
    oldConv?.dispose();
    oldSsm?.dispose();
    this.steps += added;
  }

  /** Bytes held (float32). */
  get bytes(): number {
    return ((this.convState?.size ?? 0) + (this.ssmState?.size ?? 0)) * 4;
  }

  /** A copy that evolves independently (to branch a generation, or to attend without committing). */
  clone(): LayerSsmState {
    const copy = new LayerSsmState();
    if (this.convState && this.ssmState) copy.update(this.convState, this.ssmState, this.steps);
    return copy;
  }

  clear(): void {
    this.convState?.dispose();
    this.ssmState?.dispose();
    this.convState = undefined;
    this.ssmState = undefined;
    this.steps = 0;
  }

  dispose(): void {
    this.clear();
  }
}

/** One LayerSsmState per state-space layer of a model. */
export class SsmStateCache {
  readonly layers: readonly LayerSsmState[];

  /** `numLayers` empty states, or the given ones. */
  constructor(layers: number | readonly LayerSsmState[]) {
    this.layers = typeof layers === 'number' ? Array.from({ length: layers }, () => new LayerSsmState()) : layers;
  }

  layer(index: number): LayerSsmState {
    const layer = this.layers[index];
    if (!layer) throw new InputError(`SsmStateCache: no layer ${index} (of ${this.layers.length})`);
    return layer;
  }

  get length(): number {
    return this.layers[0]?.length ?? 0;
  }

  get bytes(): number {
    return this.layers.reduce((sum, l) => sum + l.bytes, 0);
  }

  clone(): SsmStateCache {
    return new SsmStateCache(this.layers.map((l) => l.clone()));
  }

  clear(): void {
    for (const l of this.layers) l.clear();
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }
}
