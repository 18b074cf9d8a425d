import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = pathToFileURL(join(resolve(import.meta.dirname, '../..'), 'dist/index.js')).href;

/** Runs an ES module snippet against built core in a fresh process (a backend is chosen once per process). */
function run(code: string, env: Record<string, string> = {}) {
  if (!existsSync(new URL(dist))) throw new Error(`${dist} is missing: build core first (npm test builds before the suite)`);
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', `import * as core from '${dist}';\n${code}`], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NEXTX_BACKEND: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('using the API without initBackend', () => {
  it("prints nothing of tfjs's own (no 'Hi, looks like you are running TensorFlow.js in Node.js')", () => {
    const { code, stdout, stderr } = run(`const t = core.tf.tensor([1, 2]); console.log(core.tf.getBackend(), t.dataSync().join());`);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe('cpu 1,2\n'); // tfjs's own pick on the first tensor
  });

  it('async entry points select what auto selects, not the cpu backend tfjs picks by itself', () => {
    const script = `
      const before = core.tf.tensor([3]);               // created on tfjs's default (cpu) backend
      const status = await core.ensureBackend();
      const again = await core.ensureBackend();
      console.log(JSON.stringify({ active: status.active, tfjs: core.tf.getBackend(), same: again === status, value: before.dataSync()[0] }));`;
    const auto = JSON.parse(run(`console.log(JSON.stringify((await core.initBackend({ prefer: 'auto' })).active));`).stdout) as string;
    expect(auto).not.toBe('cpu'); // wasm ships with core, so auto never falls to cpu
    const chosen = JSON.parse(run(script).stdout) as { active: string; tfjs: string; same: boolean; value: number };
    expect(chosen).toEqual({ active: auto, tfjs: auto === 'wasm' ? 'wasm' : 'tensorflow', same: true, value: 3 });
    // NEXTX_BACKEND chooses; an explicit initBackend is kept.
    expect(JSON.parse(run(script, { NEXTX_BACKEND: 'cpu' }).stdout)).toMatchObject({ active: 'cpu', tfjs: 'cpu' });
    const explicit = run(`await core.initBackend({ prefer: 'cpu' }); console.log((await core.ensureBackend()).active, core.tf.getBackend());`);
    expect(explicit.stdout).toBe('cpu cpu\n');
    const bad = run(`await core.ensureBackend().catch((e) => console.log(e.name, e.message));`, { NEXTX_BACKEND: 'gpu' });
    expect(bad.stdout).toMatch(/^InputError NEXTX_BACKEND must be one of auto, cuda, native, wasm, cpu; got 'gpu'/);
  });
});
