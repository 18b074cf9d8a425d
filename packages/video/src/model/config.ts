import { z } from 'zod';
import { autoencoderConfigSchema } from '../autoencoder/config.js';
import { movingObjectsSchema } from '../data/moving-objects.js';
import { samplingSchema } from '../generate/sampling.js';

export const headRoleSchema = z.enum(['static', 'dynamic']);
export type HeadRole = z.infer<typeof headRoleSchema>;

/** The model's fields (without the cross-field checks of videoModelConfigSchema), for recipes to pick from. */
export const videoModelFieldsSchema = z
  .object({
    /** What the model was trained on (frames are data.size pixels square). */
    data: movingObjectsSchema.prefault({}),
    autoencoder: autoencoderConfigSchema.prefault({}),
    /** Latents are standardised as (z − latentMean)·latentScale before the transformer (measured after the autoencoder's training). */
    latentMean: z.number().default(0),
    latentScale: z.number().positive().default(1),
    /** Latent cells per token side: a token is patch × patch cells of the frame's latent. */
    patch: z.number().int().positive().default(2),
    /** Frames generated together, the unit of block-causal attention and of the KV cache's commits. */
    framesPerChunk: z.number().int().positive().default(2),
    dim: z.number().int().positive().default(128),
    depth: z.number().int().positive().default(4),
    heads: z.number().int().positive().default(4),
    mlpRatio: z.number().positive().default(4),
    /**
     * Condition every chunk on the tokens of the frame just before it, added through their own embedding (besides
     * attending to the cached context): a direct path for "copy and move" that attention alone learns slowly.
     */
    lastFrameConditioning: z.boolean().default(false),
    /**
     * Frames the conditioning carries: the last one, or also the ones before it (f₀ − 2, …), side by side — the
     * temporal difference a token needs to see its own motion without first attending for it.
     */
    conditioningFrames: z.number().int().min(1).max(4).default(1),
    /**
     * Side of the conditioning's embedding over each frame's token grid: 1 embeds a token's own conditioning
     * (a linear map), k > 1 a k × k neighbourhood of it (a convolution, zero-padded at the edges) — so that a token
     * sees the content that moves into it from its neighbours without having to attend for it.
     */
    conditioningKernel: z.number().int().positive().default(1),
    /**
     * What the head predicts. 'velocity': the flow velocity v = ε − x₀ (rectified flow). 'last-frame-residual': the
     * clean chunk as the last-frame conditioning plus a correction, x̂₀ = x_last + head, turned into the velocity
     * v = (x_t − x̂₀)/t for the samplers and trained on the clean-sample error (x-prediction, as in "Back to Basics:
     * Let Denoising Generative Models Denoise", with a skip from the conditioning frame). A zero head starts as
     * copy-last-frame, so training only has to learn the motion. Needs lastFrameConditioning.
     */
    prediction: z.enum(['velocity', 'last-frame-residual']).default('velocity'),
    /**
     * Motion-compensated residual: the residual of a 'last-frame-residual' model is taken against the last frame moved
     * on by the global motion of the last two (decoded, their brightness centroids; see global-motion.ts), re-encoded —
     * the motion-compensated reference of a video codec — and that reference is an extra, leading conditioning frame.
     * A zero head then continues the motion instead of freezing it; the head learns bounces, occlusion and detail.
     * One global translation per frame: made for one moving object (or a camera pan), not for several moving apart.
     */
    motionCompensation: z.boolean().default(false),
    /**
     * What the motion-compensated reference does at the frame's edges (see global-motion.ts): 'open' moves the object
     * on past them; 'bounce' reflects it off them, as the moving-objects data does — so that a zero head carries the
     * object through a bounce instead of pushing it into the wall. Needs motionCompensation.
     */
    motionEdges: z.enum(['open', 'bounce']).default('open'),
    /**
     * What the motion-compensated reference shows (see global-motion.ts): 'last-frame' moves the last frame on (a
     * codec's short-term reference); 'first-frame' moves the video's first frame's object, placed where the last
     * frame's is — a long-term reference, as H.264's long-term reference pictures: the object keeps the appearance it
     * was given at any length instead of inheriting the last frame's errors, which a rollout compounds. For one rigid
     * object (it cannot turn or change shape except through the head's residual). Needs motionCompensation.
     */
    motionReference: z.enum(['last-frame', 'first-frame']).default('last-frame'),
    /** Channels per head rotated by the frame index; the rest are split evenly between row and column. */
    ropeTimeDims: z.number().int().positive().multipleOf(2).default(8),
    /**
     * Per layer and head, how the head attends (calibrated after training, see `profileHeads`): 'static' heads look
     * at the current chunk and a few frames, 'dynamic' ones across time — Forcing-KV's split for compression.
     */
    headRoles: z.array(z.array(headRoleSchema)).optional(),
    /** How this model generates unless a request says otherwise (what it was trained for). */
    generation: z
      .object({
        /** Frames of the rolling window besides the sinks: the context a training clip's last chunk saw. */
        windowFrames: z.number().int().nonnegative().default(4),
        /** Attention-sink frames (default: the first chunk). */
        sinkFrames: z.number().int().nonnegative().optional(),
        sampling: samplingSchema.prefault({}),
        /**
         * The flow level each finished chunk is put at before it enters the context (x ← (1 − c)·x + c·ε, its frames'
         * level c): GameNGen's noise augmentation, so that the model, trained on context noised at random levels
         * (the recipe's transformer.contextNoise), does not take its own small errors for signal. 0 = clean context.
         */
        contextNoise: z.number().min(0).max(1).default(0),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const videoModelConfigSchema = videoModelFieldsSchema.superRefine((c, ctx) => {
  const cells = c.autoencoder.frameSize / 4;
  if (c.autoencoder.frameSize !== c.data.size) ctx.addIssue({ code: 'custom', path: ['autoencoder', 'frameSize'], message: `must equal data.size (${c.data.size})` });
  if (cells % c.patch !== 0) ctx.addIssue({ code: 'custom', path: ['patch'], message: `must divide the latent side ${cells}` });
  if (c.dim % c.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `must divide dim ${c.dim}` });
  if (c.prediction === 'last-frame-residual' && !c.lastFrameConditioning) {
    ctx.addIssue({ code: 'custom', path: ['prediction'], message: "'last-frame-residual' predicts from the last frame: set lastFrameConditioning to true" });
  }
  if (c.motionCompensation && c.prediction !== 'last-frame-residual') {
    ctx.addIssue({ code: 'custom', path: ['motionCompensation'], message: "compensates the residual of prediction 'last-frame-residual': set prediction to it" });
  }
  if (c.motionEdges !== 'open' && !c.motionCompensation) {
    ctx.addIssue({ code: 'custom', path: ['motionEdges'], message: 'shapes the motion-compensated reference: set motionCompensation to true' });
  }
  if (c.motionReference !== 'last-frame' && !c.motionCompensation) {
    ctx.addIssue({ code: 'custom', path: ['motionReference'], message: 'chooses the motion-compensated reference: set motionCompensation to true' });
  }
  if (c.conditioningKernel % 2 === 0) ctx.addIssue({ code: 'custom', path: ['conditioningKernel'], message: 'must be odd (a neighbourhood centred on the token)' });
  const headDim = c.dim / c.heads;
  const rest = headDim - c.ropeTimeDims;
  if (rest <= 0 || rest % 4 !== 0) {
    ctx.addIssue({ code: 'custom', path: ['ropeTimeDims'], message: `head dim ${headDim} minus ropeTimeDims must be a positive multiple of 4 (row and column halves)` });
  }
  if (c.headRoles && (c.headRoles.length !== c.depth || c.headRoles.some((row) => row.length !== c.heads))) {
    ctx.addIssue({ code: 'custom', path: ['headRoles'], message: `must be ${c.depth} layers × ${c.heads} heads` });
  }
});
export type VideoModelConfig = z.infer<typeof videoModelConfigSchema>;

/** Frames just before a chunk that its conditioning reads: the conditioning frames, and two for the motion estimate. */
export function framesBeforeChunk(config: VideoModelConfig): number {
  if (!config.lastFrameConditioning) return 0;
  return config.motionCompensation ? Math.max(2, config.conditioningFrames) : config.conditioningFrames;
}

/** Tokens' worth of conditioning per token: the conditioning frames, and the motion-compensated reference first. */
export function conditioningSlots(config: VideoModelConfig): number {
  return config.conditioningFrames + (config.motionCompensation ? 1 : 0);
}
export type VideoModelConfigInput = z.input<typeof videoModelConfigSchema>;

/** The token grid a config implies. */
export interface TokenLayout {
  /** Token grid side per frame. */
  readonly side: number;
  readonly tokensPerFrame: number;
  readonly tokensPerChunk: number;
  /** Values per token: patch² latent cells × channels. */
  readonly tokenDim: number;
}

export function tokenLayout(config: VideoModelConfig): TokenLayout {
  const side = config.autoencoder.frameSize / 4 / config.patch;
  const tokensPerFrame = side * side;
  return {
    side,
    tokensPerFrame,
    tokensPerChunk: tokensPerFrame * config.framesPerChunk,
    tokenDim: config.patch * config.patch * config.autoencoder.latentChannels,
  };
}
