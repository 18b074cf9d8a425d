import { Command, CommanderError } from 'commander';
import type { PluginCommand, PluginVerb } from '../../contracts/plugin.js';
import { InputError, PluginError } from '../../errors.js';
import type { Registry } from '../../registry/registry.js';
import { discoverPlugins } from '../discover-plugins.js';
import { runAction, selectBackend } from '../run-action.js';

const DESCRIPTIONS: Record<PluginVerb, string> = {
  generate: 'generate with a plugin model, e.g. `nextx generate vision/var --help`',
  train: 'train a plugin model',
  eval: 'evaluate a plugin model',
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
        const pluginCommand = findPluginCommand(registry, verb, name);
        if (rest.includes('--help') || rest.includes('-h')) {
          context.print({ verb, name, options: pluginCommand.options }, () => pluginParser(verb, name, pluginCommand).helpInformation());
          return;
        }
        const options = parsePluginOptions(verb, name, pluginCommand, rest);
        await selectBackend(context, globals);
        const result = await pluginCommand.run(options, context);
        context.progress.stop();
        context.print(result, () => JSON.stringify(result, null, 2));
      }),
    );
}

export function findPluginCommand(registry: Registry, verb: PluginVerb, name: string): PluginCommand {
  const available = registry
    .plugins()
    .flatMap((info) => Object.keys(registry.plugin(info.name)?.commands?.[verb] ?? {}));
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
