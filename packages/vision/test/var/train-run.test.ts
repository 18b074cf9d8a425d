import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, AbortError, InputError, type ProgressEvent } from '@nextx/core';
import { loadVarCheckpoint } from '../../src/var/load.js';
import { trainVarRun, type VarTrainingRunOptions } from '../../src/var/train-run.js';
import { useBackend } from '../helpers/backends.js';
import { TOY_VAR_CONFIG, writeToyFolder } from '../helpers/toy-images.js';

const root = mkdtempSync(join(tmpdir(), 'nextx-var-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const data = join(root, 'images');

const settings = (out: string): VarTrainingRunOptions => ({
  out,
  data,
  config: TOY_VAR_CONFIG,
  vqvaeSteps: 5,
  varSteps: 5,
  batchSize: 8, // two micro-batches of 4 for the VQVAE, one of 8 for the transformer
  varBatchSize: 8,
  heldOutImages: 8,
  checkpointEvery: 0, // only at the end of each stage: what survives an interruption is the save on abort
  seed: 3,
});

/** Aborts the run at the first progress event `when` accepts. */
function interrupting(when: (event: ProgressEvent) => boolean) {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    onProgress: (event: ProgressEvent) => {
      if (!controller.signal.aborted && when(event)) controller.abort();
    },
  };
}

const checkpointBytes = (out: string) => ['model.safetensors', 'vae.safetensors'].map((f) => readFileSync(join(out, 'checkpoint', f)));

describe('a VAR training run (both stages) in a run directory', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    writeToyFolder(data, { perClass: 25 }); // 100 images: 8 held out, 92 tokenized in two chunks of at most 64
  });

  it('interrupted in each phase and resumed, ends with the same weights as a straight run', async () => {
    const baseline = tf.memory().numTensors;
    const straightOut = join(root, 'straight');
    const straight = await trainVarRun(settings(straightOut));
    expect(straight.vqvae.steps).toBe(5);
    expect(straight.var).toMatchObject({ steps: 5, tokenizedImages: 92 });
    expect(straight.data).toMatchObject({ kind: 'image-folder', trainImages: 92, heldOutImages: 8, classes: ['class0', 'class1', 'class2', 'class3'] });
    expect(tf.memory().numTensors).toBe(baseline);

    const out = join(root, 'interrupted');
    const stops: Array<[string, (e: ProgressEvent) => boolean, RegExp]> = [
      ['the VQVAE at step 2', (e) => e.stage === 'vqvae' && e.completed === 2, /while training the VQVAE .*checkpoint at step 2/],
      ['tokenizing', (e) => e.stage === 'tokenize', /while tokenizing the training images/],
      ['the transformer at step 3', (e) => e.stage === 'var' && e.completed === 3, /while training the transformer .*checkpoint at step 3/],
      ['sampling the grid', (e) => e.stage === 'scale', /while writing the checkpoint and figures/],
    ];
    for (const [index, [what, when, message]] of stops.entries()) {
      const failure = await trainVarRun({ ...settings(out), resume: index > 0, ...interrupting(when) }).catch((error: unknown) => error);
      expect(failure, what).toBeInstanceOf(AbortError);
      expect((failure as Error).message, what).toMatch(message);
      expect(tf.memory().numTensors, what).toBe(baseline);
    }
    const state = (stage: string) => (JSON.parse(readFileSync(join(out, stage, 'training_state.json'), 'utf8')) as { step: number }).step;
    expect([state('vqvae-training'), state('var-training')]).toEqual([5, 5]);
    const resumed = await trainVarRun({ ...settings(out), resume: true });
    expect(checkpointBytes(out)).toEqual(checkpointBytes(straightOut));
    expect(resumed.heldOutReconstructionMse).toBe(straight.heldOutReconstructionMse);
    expect([resumed.vqvae.finalLoss, resumed.var.finalLoss]).toEqual([straight.vqvae.finalLoss, straight.var.finalLoss]);
    for (const file of ['samples-grid.png', 'reconstructions.png', 'report.json']) expect(existsSync(join(out, file)), file).toBe(true);
    const logs: string[] = [];
    expect(await trainVarRun({ ...settings(out), resume: true, log: (m) => logs.push(m) })).toEqual(resumed); // a finished run
    expect(logs).toEqual([`the run in ${out} is complete (${join(out, 'report.json')})`]);
    // The final checkpoint is what `nextx generate vision/var --checkpoint` loads.
    const model = await loadVarCheckpoint(join(out, 'checkpoint'));
    expect(model.config.var.num_classes).toBe(4);
    model.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  }, 240_000);

  it('refuses to overwrite a run, to resume nothing, and to resume with other settings', async () => {
    const out = join(root, 'guarded');
    await trainVarRun({ ...settings(out), vqvaeSteps: 1, varSteps: 1, ...interrupting((e) => e.stage === 'vqvae') }).catch(() => undefined);
    await expect(trainVarRun({ ...settings(out), vqvaeSteps: 1, varSteps: 1 })).rejects.toThrow(/run\.json exists: this folder holds a training run; pass --resume/);
    await expect(trainVarRun({ ...settings(out), resume: true, vqvaeSteps: 1, varSteps: 9 })).rejects.toThrow(/--var-steps 9 differs from the run being resumed \(--var-steps 1/);
    await expect(trainVarRun({ ...settings(join(root, 'empty')), resume: true })).rejects.toThrow(InputError);
    await expect(trainVarRun({ ...settings(join(root, 'too-few-classes')), config: { ...TOY_VAR_CONFIG, var: { ...TOY_VAR_CONFIG.var, num_classes: 2 } } })).rejects.toThrow(
      /the data has 4 classes .* only var\.num_classes = 2/,
    );
  });
});
