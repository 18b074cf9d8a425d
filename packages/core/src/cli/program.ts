import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { benchCommand } from './commands/bench.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { inspectCommand } from './commands/inspect.js';
import { pluginVerbCommand } from './commands/plugin-verb.js';
import { pluginsCommand } from './commands/plugins.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * commander's own errors (unknown command, bad option value) in the same form as nextx's: one paragraph on stderr,
 * or with `--json` an `{"error": …}` object on stdout.
 */
const OUTPUT = {
  outputError: (message: string, write: (text: string) => void) => {
    const text = message.replace(/^error: /, '').trim();
    if (process.argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify({ error: { name: 'UsageError', message: text, code: 'USAGE' } }, null, 2)}\n`);
    } else {
      write(`nextx: ${text}\n`);
    }
  },
};

export function createProgram(): Command {
  const program = new Command('nextx')
    .description('nextx: autoregressive and diffusion generation in TypeScript')
    .version(version)
    .option('--json', 'machine-readable output only, on stdout')
    .option('--backend <name>', 'tensor backend: auto, cuda, native, wasm or cpu', 'auto')
    .option('--out <dir>', 'output directory', './out')
    .option('--threads <n>', 'wasm backend threads, 1 to 8 (default 1; more help large models only)')
    .configureOutput(OUTPUT);
  for (const command of [
    doctorCommand(),
    pluginsCommand(),
    inspectCommand(),
    demoCommand(),
    pluginVerbCommand('generate'),
    pluginVerbCommand('train'),
    pluginVerbCommand('eval'),
    benchCommand(),
  ]) {
    program.addCommand(command.configureOutput(OUTPUT));
  }
  return program;
}
