import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW, readWeights, tf } from '@nextx/core';
import { parseSpacetimeConfig, spacetimeTrainConfigSchema } from '../../src/spacetime/config.js';
import { SpacetimeModel } from '../../src/spacetime/model.js';
import { criterion } from '../../src/spacetime/loss.js';
import { spacetimeGradients } from '../../src/spacetime/train.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { liveTensors } from '../helpers/memory.js';
import { fixtureConfig, fixtureFile } from '../helpers/fixture.js';
import { caseAccess, host } from '../helpers/cases.js';
import { expectClose } from '../helpers/close.js';

const FIXTURE = 'spacetime-tiny-a';
interface TrainStep {
  loss: 'informer_rmse';
  criterion_weights: [number, number, number];
  data_transform: 'mean';
  optimizer: { betas: [number, number]; eps: number; lr: number; weight_decay: number };
  modes: Record<'first_epoch' | 'later_epochs', { n_terms: number; grad_none: string[] }>;
  kernel_dim_used_for_offsets: number;
}
const fixture = fixtureConfig<{ SpaceTime: unknown; train_step: TrainStep }>(FIXTURE);
const { tensor, values, get, has } = caseAccess(FIXTURE);
const RTOL = 1e-5;
const scaleOf = (key: string) => Math.max(1e-6, ...Array.from(values(key), Math.abs));
const close = (got: Float32Array | number[], key: string) => expectClose(got, values(key), key, RTOL * scaleOf(key), 0);

const step = fixture.train_step;
const trainConfig = spacetimeTrainConfigSchema.parse({
  loss: step.loss,
  criterion_weights: step.criterion_weights,
  data_transform: step.data_transform,
  lr: step.optimizer.lr,
  weight_decay: step.optimizer.weight_decay,
  betas: step.optimizer.betas,
  eps: step.optimizer.eps,
});

function loadModel(): SpacetimeModel {
  const model = new SpacetimeModel(parseSpacetimeConfig(fixture.SpaceTime));
  const file = fixtureFile(FIXTURE, 'model.safetensors');
  const weights = readWeights(file);
  model.loadStateDict(weights, { source: file });
  tf.dispose(Object.values(weights));
  return model;
}

/** A gradient in torch's layout (Linear weights are kept transposed; stateDict() converts, gradients do not). */
const torchLayout = (model: SpacetimeModel, name: string, t: tf.Tensor): Float32Array => {
  const linear = model.stateDictShapes()[name]?.length === 2 && /layers\.\d+\.weight$/.test(name);
  return host(linear ? tf.transpose(t) : tf.clone(t));
};

describe.each(TEST_BACKENDS)('SpaceTime training step against spacetime-tiny-a on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('the criteria of the recorded terms (informer_rmse)', () => {
    for (let i = 0; i < 3; i++) {
      const prefix = `train.first_epoch.term${i}`;
      close(host(criterion(step.loss, tensor(`${prefix}.pred`), tensor(`${prefix}.target`))), `${prefix}.criterion`);
    }
  });

  it.each(['first_epoch', 'later_epochs'] as const)('%s: loss terms, gradients of every parameter and one AdamW step (9.3)', (mode) => {
    const before = liveTensors();
    const model = loadModel();
    expect(model.kernelDim).toBe(step.kernel_dim_used_for_offsets);
    const x = tensor('train.x');
    const y = tensor('train.y');
    const allTerms = step.modes[mode].n_terms === 3;
    const { loss, terms, grads } = spacetimeGradients(model, x, y, trainConfig, allTerms);
    const prefix = `train.${mode}`;
    close([loss], `${prefix}.loss`);
    close(terms, `${prefix}.loss_terms`);
    const names = model.namedParameters().map(([n]) => n);
    for (const name of names) {
      if (step.modes[mode].grad_none.includes(name)) {
        expect(grads[name], `${name} gets no gradient`).toBeUndefined();
        continue;
      }
      expect(has(`${prefix}.grad.${name}`), `fixture has the gradient of ${name}`).toBe(true);
      close(torchLayout(model, name, grads[name] as tf.Tensor), `${prefix}.grad.${name}`);
    }
    const optimizer = new AdamW(model.namedParameters(), { beta1: trainConfig.betas[0], beta2: trainConfig.betas[1], eps: trainConfig.eps, weightDecay: trainConfig.weight_decay, decay: () => true });
    optimizer.apply(grads, trainConfig.lr);
    tf.dispose(Object.values(grads));
    const state = model.stateDict();
    for (const name of names) close((state[name] as tf.Tensor).dataSync() as Float32Array, `${prefix}.param_after_step.${name}`);
    expect(get(`${prefix}.param_after_step.decoder.blocks.ssm.skip`)).toBeDefined();
    tf.dispose([...Object.values(state), x, y]);
    optimizer.dispose();
    model.dispose();
    expect(liveTensors()).toBe(before);
  });
});
