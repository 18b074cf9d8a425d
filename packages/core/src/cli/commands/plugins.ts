import { Command } from 'commander';
import { discoverPlugins } from '../discover-plugins.js';
import { formatTable } from '../format-table.js';
import { runAction } from '../run-action.js';

export function pluginsCommand(): Command {
  return new Command('plugins')
    .description('the installed plugins (@nextx/*, or a "nextx" field or the nextx-plugin keyword in package.json), their versions and the names they provide')
    .action(async (_options: unknown, command: Command) =>
      runAction(command, async (context) => {
        const { registry, failures } = await discoverPlugins();
        const plugins = registry.plugins();
        context.print({ plugins, failures }, () => {
          const table = formatTable(
            ['plugin', 'version', 'domain', 'provides'],
            plugins.map((p) => [p.name, p.version, p.domain, p.provides.join(', ') || '-']),
          );
          const failed = failures.map((f) => `failed to load ${f.packageName} (${f.path}): ${f.reason}`);
          return [plugins.length ? table : 'no nextx plugins installed', ...failed].join('\n');
        });
      }),
    );
}
