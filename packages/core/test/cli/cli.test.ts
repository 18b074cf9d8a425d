import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedBackends } from '../helpers/expected-backend.js';

const coreDir = resolve(import.meta.dirname, '../..');
const repoRoot = resolve(coreDir, '../..');
const cli = join(coreDir, 'dist/cli/main.js');

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function nextx(args: string[], cwd = repoRoot) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A project whose node_modules holds core (linked) and a fake plugin with a generate command. */
function fakeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nextx-cli-'));
  const scope = join(dir, 'node_modules', '@nextx');
  mkdirSync(join(scope, 'fake'), { recursive: true });
  symlinkSync(coreDir, join(scope, 'core'));
  writeFileSync(join(scope, 'fake', 'package.json'), JSON.stringify({ name: '@nextx/fake', version: '9.9.9', type: 'module', main: 'index.js' }));
  // Outside the @nextx scope: found by the nextx-plugin keyword or a "nextx" field; an undeclared package is not loaded.
  const declared: Array<[string, Record<string, unknown>]> = [
    ['@acme/keyworded', { keywords: ['nextx-plugin'], exports: { '.': { import: './index.js' } } }],
    ['fielded', { nextx: { plugin: true }, exports: './index.js' }],
    ['undeclared', { main: 'index.js' }],
  ];
  for (const [name, fields] of declared) {
    mkdirSync(join(dir, 'node_modules', name), { recursive: true });
    writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '1.2.3', type: 'module', ...fields }));
    writeFileSync(
      join(dir, 'node_modules', name, 'index.js'),
      `import { CONTRACT_VERSION } from '@nextx/core';
export const plugin = { name: '${name}', version: '1.2.3', domain: '${name.replace(/\W/g, '')}', contractVersion: CONTRACT_VERSION,
  register(container) { container.registerInstance('${name.replace(/\W/g, '')}/model', {}); } };
`,
    );
  }
  writeFileSync(
    join(scope, 'fake', 'index.js'),
    `import { CONTRACT_VERSION, AbortError } from '@nextx/core';
export const plugin = {
  name: '@nextx/fake', version: '9.9.9', domain: 'fake', contractVersion: CONTRACT_VERSION,
  register(container) { container.registerInstance('fake/echo', {}); },
  commands: { generate: { 'fake/echo': {
    description: 'echo options',
    options: [
      { flags: '--count <n>', description: 'a number' },
      { flags: '--label <text>', description: 'a label', defaultValue: 'none' },
      { flags: '--wait', description: 'wait for Ctrl-C' },
    ],
    async run(options, context) {
      process.stderr.write('plugin command running\\n');
      if (options.wait) {
        process.stderr.write('ready\\n');
        const busy = setInterval(() => undefined, 100); // stands for work in progress
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
        clearInterval(busy);
        throw new AbortError('stopped by the user');
      }
      return { received: options, out: context.out };
    },
  } } },
};
`,
  );
  return dir;
}

let project = '';
beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build core first (npm test builds every package before the suite)`);
  project = fakeProject();
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('nextx CLI', () => {
  it('plugins --json lists the workspace domain plugins with their versions', () => {
    const { code, stdout } = nextx(['plugins', '--json']);
    expect(code).toBe(0);
    const { plugins, failures } = JSON.parse(stdout) as { plugins: { name: string; version: string }[]; failures: unknown[] };
    expect(failures).toEqual([]);
    expect(plugins.map((p) => p.name).sort()).toEqual(
      ['@nextx/finance-bytes', '@nextx/medical', '@nextx/text', '@nextx/timeseries', '@nextx/video', '@nextx/vision'].sort(),
    );
    expect(plugins.every((p) => /^\d+\.\d+\.\d+/.test(p.version))).toBe(true);
  });

  it('passes parsed plugin options to a plugin command found in node_modules', () => {
    const { code, stdout, stderr } = nextx(['generate', 'fake/echo', '--count', '3', '--json', '--backend', 'cpu', '--out', 'o'], project);
    expect(stderr).toBe('plugin command running\n');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { received: Record<string, unknown>; out: string };
    expect(result.received).toEqual({ count: '3', label: 'none' });
    expect(result.out).toBe(join(project, 'o'));
  });

  it('doctor --json reports the active backend, why unusable native backends are absent, and 1024³ GFLOP/s of the others', async () => {
    const { usable, auto } = await installedBackends();
    const { code, stdout } = nextx(['doctor', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      active: string;
      backends: { name: string; available: boolean; reason?: string; detail?: string; matmul1024Gflops?: number; threads?: number }[];
    };
    expect(report.active).toBe(auto);
    const byName = Object.fromEntries(report.backends.map((b) => [b.name, b]));
    for (const name of ['cuda', 'native'] as const) {
      expect(byName[name]!.available).toBe(usable[name]);
      if (usable[name]) continue;
      expect(byName[name]!.reason).toMatch(/package-not-installed|no-nvidia-gpu|libcudart-missing|load-failed/);
      expect(byName[name]!.detail).toMatch(/tfjs-node|NVIDIA GPU|libcudart/);
    }
    for (const name of ['wasm', 'cpu']) expect(byName[name]!.matmul1024Gflops).toBeGreaterThan(0.1);
    expect(byName['wasm']!.matmul1024Gflops).toBeGreaterThan(5 * byName['cpu']!.matmul1024Gflops!);
    expect(byName['wasm']!.threads).toBe(1);
  }, 120_000);

  it('bench core --json gives forward and forward+backward figures per backend with ratios to the 2-D product', () => {
    const { code, stdout } = nextx(['bench', 'core', '--json', '--wasm-size', '128', '--cpu-size', '32', '--conv-size', '8', '--repeats', '1']);
    expect(code).toBe(0);
    const bench = JSON.parse(stdout) as {
      blas: { active: boolean };
      results: { backend: string; variant: string; figures: { pass: string; gflops: number }[]; convFigures?: unknown[]; ratioToReference2d: Record<string, number> }[];
      comparisons: { variant: string; against: string; speedup: Record<string, number> }[];
    };
    // With @nextx/native-blas loaded, OpenBLAS comes first, measured against XNNPACK in the same run.
    const wasm = bench.blas.active ? ['wasm/openblas', 'wasm/routed', 'wasm/tfjs-original'] : ['wasm/routed', 'wasm/tfjs-original'];
    expect(bench.results.map((r) => `${r.backend}/${r.variant}`)).toEqual([...wasm, 'cpu/as-shipped']);
    for (const r of bench.results) {
      expect(r.figures).toHaveLength(14);
      expect(new Set(r.figures.map((f) => f.pass))).toEqual(new Set(['forward', 'forward+backward']));
      expect(Object.keys(r.ratioToReference2d)).toHaveLength(8);
      expect(r.convFigures?.length ?? 0).toBe(r.variant === 'openblas' || r.variant === 'routed' ? 8 : 0);
    }
    expect(bench.comparisons.map((c) => `${c.variant} ÷ ${c.against}`)).toEqual([
      ...(bench.blas.active ? ['openblas (1 thread) ÷ routed (1 thread)'] : []),
      'routed (1 thread) ÷ tfjs-original (1 thread)',
    ]);
    // OpenBLAS against routing: every matMul shape and pass (14) and conv shape and pass (8); routing against tfjs: matMul only.
    expect(bench.comparisons.map((c) => Object.keys(c.speedup).length)).toEqual([...(bench.blas.active ? [22] : []), 14]);
  }, 120_000);

  const badInputs: Array<[string, string[], RegExp]> = [
    ['unknown plugin name', ['generate', 'nope/model'], /no installed plugin offers `generate nope\/model`; available for generate: fake\/echo/],
    ['unknown plugin option', ['generate', 'fake/echo', '--colour', 'red'], /unknown option '--colour'/],
    ['bad backend', ['generate', 'fake/echo', '--backend', 'gpu'], /--backend must be one of auto, cuda, native, wasm, cpu; got 'gpu'/],
    ['bad thread count', ['generate', 'fake/echo', '--threads', '0'], /--threads must be an integer from 1 to 8; got '0'/],
    ['bad bench size', ['bench', 'core', '--wasm-size', 'big'], /--wasm-size must be an integer ≥ 16; got 'big'/],
    ['unknown bench target', ['bench', 'gpu'], /unknown bench target 'gpu'/],
    ['unknown command', ['frobnicate'], /^nextx: unknown command 'frobnicate'/],
  ];
  it.each(badInputs)('%s: non-zero exit and one paragraph naming the problem', (_name, args, message) => {
    const { code, stdout, stderr } = nextx(args, project);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('finds installed plugins outside the @nextx scope that declare themselves, and only those', () => {
    const { code, stdout } = nextx(['plugins', '--json'], project);
    expect(code).toBe(0);
    const { plugins, failures } = JSON.parse(stdout) as { plugins: { name: string; provides: string[] }[]; failures: unknown[] };
    expect(failures).toEqual([]);
    const byName = Object.fromEntries(plugins.map((p) => [p.name, p.provides]));
    expect(byName['@acme/keyworded']).toEqual(['acmekeyworded/model']);
    expect(byName['fielded']).toEqual(['fielded/model']);
    expect(byName['@nextx/fake']).toEqual(['fake/echo']);
    expect(byName['undeclared']).toBeUndefined();
  });

  it.each(['generate', 'train', 'eval'])('`nextx %s --help` shows the usage and what the installed plugins offer', (verb) => {
    const { code, stdout, stderr } = nextx([verb, '--help'], project);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: nextx ${verb} <name> \\[options\\]`));
    expect(stdout).toMatch(/^Installed \(see `nextx \w+ <name> --help` for the options\):$/m);
    // fake/echo from the project's node_modules; vision/var from the workspace beside this copy of core
    if (verb === 'generate') expect(stdout).toMatch(/^ {2}fake\/echo +echo options$/m);
    expect(stdout).toMatch(/^ {2}vision\/var +\S/m);
  });

  it('with --json, errors are an {"error": …} object on stdout and the exit code is non-zero', () => {
    const cases: Array<[string[], Record<string, unknown>]> = [
      [['generate', 'nope/model', '--json'], { name: 'PluginError', code: 'PLUGIN', message: expect.stringMatching(/no installed plugin offers `generate nope\/model`/) }],
      [['inspect', join(project, 'missing.pth'), '--json'], { name: 'CheckpointError', code: 'CHECKPOINT', file: join(project, 'missing.pth') }],
      [['generate', 'fake/echo', '--colour', 'red', '--json'], { name: 'InputError', code: 'INPUT', message: expect.stringMatching(/unknown option '--colour'/) }],
      [['frobnicate', '--json'], { name: 'UsageError', code: 'USAGE', message: "unknown command 'frobnicate'" }],
    ];
    for (const [args, error] of cases) {
      const { code, stdout, stderr } = nextx(args, project);
      expect(code, args.join(' ')).toBe(1);
      expect(stderr, args.join(' ')).toBe('');
      expect(JSON.parse(stdout), args.join(' ')).toEqual({ error: expect.objectContaining(error) });
    }
  });

  it('refuses a bad --out at once, before the backend starts or the plugin runs', () => {
    const file = join(project, 'a-file');
    writeFileSync(file, 'x');
    const locked = join(project, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(project, 0o755); // mkdtemp makes it 0700; the unprivileged run below must be able to enter it
    const cases: Array<[string, RegExp, { uid?: number; gid?: number }?]> = [
      [file, /is a file, not a directory/],
      [join(file, 'sub'), /.*a-file is a file, not a directory/],
      // Root ignores permission bits: the unwritable case runs as nobody when the tests run as root.
      [join(locked, 'sub'), /cannot write into .*locked: permission denied/, process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}],
    ];
    if (existsSync('/proc/self')) cases.push(['/proc/x', /cannot create \/proc\/x/]); // Node's recursive mkdir loops forever here
    for (const [out, message, user] of cases) {
      const started = Date.now();
      const result = spawnSync(process.execPath, [cli, 'generate', 'fake/echo', '--out', out], { cwd: project, encoding: 'utf8', timeout: 60_000, ...user });
      expect(result.status, out).toBe(1);
      expect(result.stderr, out).toMatch(new RegExp(`^nextx: --out ${escapeRegExp(out)}: ${message.source}`));
      expect(result.stderr, out).not.toMatch(/backend:|plugin command running/);
      expect(Date.now() - started, out).toBeLessThan(20_000);
    }
  });

  it('installs the nextx command as a committed file with its exec bit, outside the build output', () => {
    const pkg = JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(pkg.bin).toEqual({ nextx: './bin/nextx.js' });
    expect(pkg.files).toContain('bin');
    const tracked = spawnSync('git', ['ls-files', '-s', 'bin/nextx.js'], { cwd: coreDir, encoding: 'utf8' }).stdout;
    expect(tracked).toMatch(/^100755 /); // npm links it at install time, before any build; no build or cache restore rewrites it
    // What `npx nextx` runs from the repository root after `npm install`: the link, executed directly (no `node`).
    const link = join(repoRoot, 'node_modules', '.bin', 'nextx');
    expect(realpathSync(link)).toBe(join(coreDir, 'bin', 'nextx.js'));
    const run = spawnSync(link, ['--version'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe((JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('Ctrl-C aborts the running command through its signal and exits 130', async () => {
    const child = spawn(process.execPath, [cli, 'generate', 'fake/echo', '--wait', '--backend', 'cpu'], { cwd: project });
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // One Ctrl-C only: a second one means "quit now", which is not what this test is about.
      if (!interrupted && stderr.includes('ready')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    expect(stderr).toMatch(/stopped by the user/);
  });
});
