import type { Linear} from '@nextx/core';
import { MultiHeadAttention, normalInit, tf, uniformInit, type Rng } from '@nextx/core';
import { AdaLNZero } from './ada-ln-zero.js';
import type { CobitNetwork } from './cobit-network.js';
import { CobitSwiGlu } from './feed-forward.js';
import { OptimalSkipMlpHead, PatchBitsHead } from './heads.js';

function normal(linear: Linear, rng: Rng, std = 0.02): void {
  tf.tidy(() => {
    linear.weight.assign(normalInit(linear.weight.shape, rng, std));
    linear.bias?.assign(tf.zerosLike(linear.bias));
  });
}

/** torch's xavier_uniform_: U(±√(6/(fan_in + fan_out))), bias 0. */
function xavier(linear: Linear, rng: Rng): void {
  tf.tidy(() => {
    linear.weight.assign(uniformInit(linear.weight.shape, rng, Math.sqrt(6 / (linear.inFeatures + linear.outFeatures))));
    linear.bias?.assign(tf.zerosLike(linear.bias));
  });
}

function zero(linear: Linear): void {
  tf.tidy(() => {
    linear.weight.assign(tf.zerosLike(linear.weight));
    linear.bias?.assign(tf.zerosLike(linear.bias));
  });
}

/**
 * The official constructor's initialisation (models/sdt.py), for training from scratch: attention projections and
 * SwiGLU N(0, 0.02²) with zero biases, every AdaLN-Zero modulation zero (so each block starts as the identity and the
 * head's gate closes: the first logits are the matched filter alone), the optimal-skip head's adapters Xavier-uniform,
 * its time projection and mixer N(0, 0.02²), and patch_proj, time_proj, time_cond, unpatch_proj_content and
 * cont_input_proj N(0, 0.02²). Layers the official code leaves at torch's default keep theirs.
 */
export function initCobitWeights(net: CobitNetwork, rng: Rng): void {
  for (const [, module] of net.namedModules()) {
    if (module instanceof MultiHeadAttention) {
      for (const linear of [module.qkv, module.q, module.k, module.v, module.out]) if (linear) normal(linear, rng);
    } else if (module instanceof CobitSwiGlu) {
      for (const linear of [module.Wa, module.Wb, module.Wo]) normal(linear, rng);
    } else if (module instanceof AdaLNZero) {
      zero(module.mlp.linear);
    } else if (module instanceof OptimalSkipMlpHead) {
      xavier(module.patchAdapter, rng);
      xavier(module.inputAdapter, rng);
      normal(module.timeProj, rng);
      normal(module.mixer.fc1, rng);
      normal(module.mixer.fc2, rng);
    }
  }
  // The patch-bits head's members sit on the model itself (see CobitNetwork.buildHead).
  if (net.head instanceof PatchBitsHead) {
    normal(net.head.patchToBits, rng);
    normal(net.head.bitOut, rng);
  }
  for (const linear of [net.patchProj, net.timeProj, net.timeCond, net.unpatchProjContent, net.contInputProj]) if (linear) normal(linear, rng);
}
