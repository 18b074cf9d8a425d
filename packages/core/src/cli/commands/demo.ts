import { Command } from 'commander';
import type { DemoResult } from '../../contracts/plugin.js';
import { runCoreDemo } from '../../demo/core-demo.js';
import { throwIfAborted } from '../../errors.js';
import { discoverPlugins } from '../discover-plugins.js';
import { runAction, selectBackend } from '../run-action.js';

interface DemoRun extends DemoResult {
  readonly plugin: string;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description("runs core's demo and every installed plugin's demo, writing into --out (default ./out)")
    .action(async (_options: unknown, command: Command) =>
      runAction(command, async (context, globals) => {
        context.outDir(); // a bad --out fails here, before any work
        await selectBackend(context, globals);
        const { registry, failures } = await discoverPlugins();
        for (const failure of failures) context.log(`skipping ${failure.packageName}: ${failure.reason}`);
        const runs: DemoRun[] = [];
        context.log('core demo: a byte-level GPT built from core layers');
        runs.push({ plugin: '@nextx/core', ...(await runCoreDemo({ ...context, out: context.outDir('core') })) });
        for (const info of registry.plugins()) {
          const plugin = registry.plugin(info.name);
          if (!plugin?.demo) continue;
          throwIfAborted(context.signal);
          context.log(`${info.name} demo`);
          runs.push({ plugin: info.name, ...(await plugin.demo({ ...context, out: context.outDir(info.domain) })) });
        }
        context.progress.stop();
        context.print({ out: context.out, runs }, () =>
          runs.map((r) => `${r.plugin}: ${r.summary}\n${r.files.map((f) => `  ${f}`).join('\n')}`).join('\n'),
        );
      }),
    );
}
