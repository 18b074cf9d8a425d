import { z } from 'zod';
import { autoencoderConfigSchema } from '../autoencoder/config.js';
import { movingObjectsSchema } from '../data/moving-objects.js';
import { samplingSchema } from '../generate/sampling.js';
import { videoModelFieldsSchema } from '../model/config.js';

const fraction = z.number().min(0).max(1);

/** Everything one training run needs: the model's shape, the data, both stages and the self-forcing schedule. */
export const trainRecipeSchema = z
  .object({
    seed: z.number().int().nonnegative().default(0),
    data: movingObjectsSchema.prefault({}),
    /** The model's shape (its data, latent statistics, head roles and generation defaults come from the run). */
    model: videoModelFieldsSchema
      .pick({ patch: true, framesPerChunk: true, dim: true, depth: true, heads: true, mlpRatio: true, ropeTimeDims: true, lastFrameConditioning: true, conditioningFrames: true, conditioningKernel: true, prediction: true, motionCompensation: true, motionEdges: true, motionReference: true })
      .extend({ autoencoder: autoencoderConfigSchema.omit({ frameSize: true }).prefault({}) })
      .strict()
      .prefault({}),
    autoencoder: z
      .object({
        steps: z.number().int().positive().default(300),
        batch: z.number().int().positive().default(32),
        lr: z.number().positive().default(2e-3),
      })
      .strict()
      .prefault({}),
    transformer: z
      .object({
        steps: z.number().int().positive().default(1200),
        batch: z.number().int().positive().default(8),
        lr: z.number().positive().default(5e-4),
        warmup: z.number().int().nonnegative().default(50),
        /** Chunks per training clip: the first one is the sink, the others a window that may start far later. */
        chunksPerClip: z.number().int().min(2).default(4),
        /** Share of clips whose window starts after a gap (a sink far in the past, as a rolling cache holds it). */
        gapProbability: fraction.default(0.5),
        /** The longest gap, in frames. */
        maxGapFrames: z.number().int().nonnegative().default(4096),
        /** Share of chunks whose frames get independent noise levels (Diffusion Forcing); the others share one. */
        perFrameNoise: fraction.default(0.25),
        /** Share of levels drawn from the sampler's own grid rather than uniformly (few-step generators run only there). */
        gridProbability: fraction.default(0.3),
        /**
         * Noise augmentation of the context (GameNGen): every context frame is put at a level drawn from U(0, this)
         * and the model is told it; 0 = clean context.
         */
        contextNoise: fraction.default(0),
        /** The level generation then puts committed chunks at (the checkpoint's generation.contextNoise). */
        inferenceContextNoise: fraction.default(0),
      })
      .strict()
      .prefault({}),
    /** How generation samples (the grid above, the self-forcing rollouts, the defaults of the checkpoint). */
    sampling: samplingSchema.prefault({}),
    selfForcing: z
      .object({
        /** Where in the transformer's steps self-forced batches begin (0 = from the start, 1 = never). */
        start: fraction.default(0.5),
        /** Share of batches after `start` whose context is the model's own rollout. */
        probability: fraction.default(0.5),
        /**
         * Weight of the MSE to the true continuation on the chunks a rollout conditions (1 = as every other chunk;
         * 0 = those chunks learn only from the adversarial term, as Self Forcing trains its rollouts by distribution
         * matching alone): on its own drifted context the model cannot know where the truth is, and the MSE's
         * answer to that is the blur of every place it could be.
         */
        targetWeight: fraction.default(1),
        /**
         * Share of batches from `start` on whose loss is unrolled one step: every chunk is conditioned on the model's
         * own one-step predictions of the context chunks, made with gradient, so that a prediction also learns from
         * what the next chunk makes of it (backpropagation through the rollout, one chunk deep). Costs about one more
         * forward and backward pass a batch; needs a one-step sampler (sampling.steps 1), the predictions it unrolls.
         */
        unroll: fraction.default(0),
        /** How many chunks deep an unrolled batch backpropagates: each pass predicts from the previous pass's predictions (one more pass each). */
        unrollDepth: z.number().int().min(1).max(4).default(1),
      })
      .strict()
      .prefault({}),
    /**
     * An adversarial term on the model's clean estimates (what Self Forcing trains its rollouts with instead of the
     * true continuation's MSE): a patch discriminator on decoded frames, trained from the first step; its term enters
     * the model's loss from `start` on with `weight` (0 = off: no discriminator). `hidden`: its first layer's channels.
     */
    adversarial: z
      .object({
        weight: z.number().nonnegative().default(0),
        start: fraction.default(0.5),
        hidden: z.number().int().positive().default(32),
        /**
         * Whether the discriminator sees each frame with the frames it was conditioned on (true) or alone. On a
         * self-forced batch the fake's conditioning is the model's rollout and the real's the truth, so a conditioned
         * discriminator can tell them apart by the conditioning alone, which the model cannot change.
         */
        conditioned: z.boolean().default(true),
        /**
         * A second discriminator judging each frame against the clip's first (the sink), over the whole frame: does it
         * show the items the video started with, wherever they are now? Neither the patch discriminator nor the MSE on a
         * drifted rollout asks that, so the items' shapes can wander while they stay sharp.
         */
        reference: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    checkpointEvery: z.number().int().nonnegative().default(100),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.selfForcing.unroll > 0 && r.sampling.steps !== 1) {
      ctx.addIssue({ code: 'custom', path: ['selfForcing', 'unroll'], message: `unrolls one-step predictions: set sampling.steps to 1 (it is ${r.sampling.steps}), or unroll 0` });
    }
    if (r.selfForcing.targetWeight === 0 && r.adversarial.weight === 0) {
      ctx.addIssue({ code: 'custom', path: ['selfForcing', 'targetWeight'], message: '0 leaves the rolled-out chunks without a loss: set adversarial.weight above 0, or keep some of the MSE' });
    }
  });
export type TrainRecipe = z.infer<typeof trainRecipeSchema>;
export type TrainRecipeInput = z.input<typeof trainRecipeSchema>;
