import { tf } from '../../tf.js';
import { InputError } from '../../errors.js';
import { parseConfig } from '../../config/parse-config.js';
import { Module, ModuleList } from '../../nn/module.js';
import { Embedding } from '../../nn/embedding.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Linear } from '../../nn/linear.js';
import { GeluMlp } from '../../nn/gelu-mlp.js';
import { MultiHeadAttention } from '../../nn/attention.js';
import { causalMask } from '../../nn/attention-mask.js';
import type { KVCache } from '../../cache/kv-cache.js';
import type { LayerKVCache } from '../../cache/layer-kv-cache.js';
import { Rng } from '../../rng/rng.js';
import { byteGptConfigSchema, type ByteGptConfig, type ByteGptConfigInput } from './config.js';

/** nanoGPT's initialisation: N(0, 0.02²) for embeddings. */
const INIT_STD = 0.02;

/** A pre-LN transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
class GptBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly ln2: LayerNorm;
  readonly mlp: GeluMlp;

  constructor(config: ByteGptConfig, rng: Rng) {
    super();
    const { dim, numHeads, dropout } = config;
    this.ln1 = this.addModule('ln_1', new LayerNorm(dim));
    this.attn = this.addModule(
      'attn',
      new MultiHeadAttention({ dim, numHeads, attnDropout: dropout, projDropout: dropout, names: { qkv: 'c_attn', out: 'c_proj' }, rng: rng.fork() }),
    );
    this.ln2 = this.addModule('ln_2', new LayerNorm(dim));
    this.mlp = this.addModule('mlp', new GeluMlp(dim, config.mlpRatio * dim, { dropout, rng: rng.fork() }));
  }

  forward(x: tf.Tensor, mask: tf.Tensor | undefined, cache: LayerKVCache | undefined): tf.Tensor {
    return tf.tidy(() => {
      const attended = tf.add(x, this.attn.forward(this.ln1.forward(x), { ...(mask ? { mask } : {}), ...(cache ? { cache } : {}) }));
      return tf.add(attended, this.mlp.forward(this.ln2.forward(attended)));
    });
  }
}

/**
 * A byte-level GPT (nanoGPT layout) built from core layers: token and position embeddings, pre-LN blocks with causal
 * multi-head attention and a GELU MLP, a final LayerNorm and an LM head over the 256 byte values.
 */
export class ByteGpt extends Module {
  readonly config: ByteGptConfig;
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly blocks: ModuleList<GptBlock>;
  readonly lnF: LayerNorm;
  readonly lmHead: Linear;

  constructor(config: ByteGptConfigInput = {}) {
    super();
    this.config = parseConfig(byteGptConfigSchema, config, 'byte GPT config');
    const { vocabSize, contextLength, dim, numLayers, seed } = this.config;
    const rng = Rng.seeded(seed);
    this.wte = this.addModule('wte', new Embedding(vocabSize, dim, { rng: rng.fork(), initStd: INIT_STD }));
    this.wpe = this.addModule('wpe', new Embedding(contextLength, dim, { rng: rng.fork(), initStd: INIT_STD }));
    this.blocks = this.addModule('h', new ModuleList(Array.from({ length: numLayers }, () => new GptBlock(this.config, rng.fork()))));
    this.lnF = this.addModule('ln_f', new LayerNorm(dim));
    this.lmHead = this.addModule('lm_head', new Linear(dim, vocabSize, { bias: false, rng: rng.fork() }));
  }

  /**
   * ids [B, T] (int32 byte values) → logits [B, T, vocab]. With a KV cache the ids continue the cached sequence:
   * they take positions cache.nextPosition …, attend to everything cached, and are appended to it.
   */
  forward(ids: tf.Tensor, cache?: KVCache): tf.Tensor {
    if (ids.rank !== 2) throw new InputError(`ByteGpt: expected ids [batch, length], got [${ids.shape}]`);
    const length = ids.shape[1] as number;
    const start = cache?.nextPosition ?? 0;
    if (start + length > this.config.contextLength) {
      throw new InputError(`ByteGpt: positions up to ${start + length} exceed the context length ${this.config.contextLength}`);
    }
    if (cache && cache.layers.length !== this.blocks.length) {
      throw new InputError(`ByteGpt: the KV cache has ${cache.layers.length} layers, the model ${this.blocks.length}`);
    }
    return tf.tidy(() => {
      const positions = tf.range(start, start + length, 1, 'int32');
      let x = tf.add(this.wte.forward(ids), this.wpe.forward(positions));
      // One query attends to every cached key: no mask needed.
      const mask = length > 1 ? causalMask(length, { offset: start }) : undefined;
      this.blocks.items.forEach((block, i) => {
        x = block.forward(x, mask, cache?.layer(i));
      });
      return this.lmHead.forward(this.lnF.forward(x));
    });
  }
}
