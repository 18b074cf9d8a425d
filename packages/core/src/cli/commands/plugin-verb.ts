import { Command, CommanderError } from 'commander';
import type { PluginCommand, PluginVerb } from '../../contracts/plugin.js';
import { InputError, PluginError } from '../../errors.js';
import type { Registry } from '../../registry/registry.js';
import { discoverPlugins } from '../discover-plugins.js';
import { runAction, selectBackend } from '../run-action.js';

const DESCRIPTIONS: Record<PluginVerb, string> = {
  generate: 'generate with a plugin model, e.g. `nextx generate vision/var --help`',
  train: 'train a plugin model, e.g. `nextx train vision/var --help`',
  eval: 'evaluate a plugin model, e.g. `nextx eval vision/var --help`',
};

/** `nextx <verb> <name> [options]`: the options are the plugin command's own, parsed once the plugin is found. */
export function pluginVerbCommand(verb: PluginVerb): Command {
  return new Command(verb)
    .description(DESCRIPTIONS[verb])
    .argument('<name>', 'registered name, e.g. vision/var')
    .argument('[options...]', "the plugin command's options (see `nextx " + verb + ' <name> --help`)')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (name: string, rest: string[], _options: unknown, command: Command) =>
      runAction(command, async (context, globals) => {
        const { registry } = await discoverPlugins();
        if (isHelpFlag(name)) {
          const commands = verbCommands(registry, verb);
          context.print({ verb, commands: commands.map(([n, c]) => ({ name: n, description: c.description })) }, () => verbHelp(verb, commands));
          return;
        }
        const pluginCommand = findPluginCommand(registry, verb, name);
        if (rest.some(isHelpFlag)) {
          context.print({ verb, name, options: pluginCommand.options }, () => pluginParser(verb, name, pluginCommand).helpInformation());
          return;
        }
        const options = parsePluginOptions(verb, name, pluginCommand, rest);
        context.outDir(); // a bad --out fails here, before the backend starts or any work is done
        await selectBackend(context, globals);
        const result = await pluginCommand.run(options, context);
        context.progress.stop();
        context.print(result, () => JSON.stringify(result, null, 2));
      }),
    );
}

const isHelpFlag = (arg: string) => arg === '--help' || arg === '-h';

/** Every installed plugin's commands for a verb, as [registered name, command]. */
function verbCommands(registry: Registry, verb: PluginVerb): Array<[string, PluginCommand]> {
  return registry.plugins().flatMap((info) => Object.entries(registry.plugin(info.name)?.commands?.[verb] ?? {}));
}

/** `nextx generate --help`: the usage and what the installed plugins offer for the verb. */
function verbHelp(verb: PluginVerb, commands: ReadonlyArray<[string, PluginCommand]>): string {
  const rows = commands.map(([name, c]) => `  ${name.padEnd(Math.max(...commands.map(([n]) => n.length)) + 2)}${c.description}`);
  return [
    `Usage: nextx ${verb} <name> [options]`,
    '',
    DESCRIPTIONS[verb],
    '',
    rows.length ? `Installed (see \`nextx ${verb} <name> --help\` for the options):` : `No installed plugin offers ${verb}; install a domain package, e.g. npm i @nextx/vision`,
    ...rows,
  ].join('\n');
}

export function findPluginCommand(registry: Registry, verb: PluginVerb, name: string): PluginCommand {
  const available = verbCommands(registry, verb).map(([n]) => n);
  const provider = registry.providerOf(name);
  const command = provider?.commands?.[verb]?.[name];
  if (!command) {
    const list = available.length ? available.join(', ') : 'none (install a domain package, e.g. npm i @nextx/vision)';
    throw new PluginError(`no installed plugin offers \`${verb} ${name}\`; available for ${verb}: ${list}`);
  }
  return command;
}

function pluginParser(verb: string, name: string, pluginCommand: PluginCommand): Command {
  const parser = new Command(`nextx ${verb} ${name}`).description(pluginCommand.description).exitOverride();
  parser.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  for (const option of pluginCommand.options) parser.option(option.flags, option.description, option.defaultValue);
  return parser;
}

/** Parses the plugin command's options; a bad or unknown option is an InputError naming it. */
export function parsePluginOptions(verb: string, name: string, pluginCommand: PluginCommand, args: string[]): Record<string, unknown> {
  const parser = pluginParser(verb, name, pluginCommand);
  try {
    parser.parse(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      throw new InputError(`${verb} ${name}: ${error.message.replace(/^error: /, '')} (see \`nextx ${verb} ${name} --help\`)`);
    }
    throw error;
  }
  if (parser.args.length > 0) throw new InputError(`${verb} ${name}: unexpected argument '${parser.args[0]}'`);
  return parser.opts();
}
