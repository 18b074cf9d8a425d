import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { CONTRACT_VERSION } from '../contracts/version.js';
import type { Plugin, PluginContainer } from '../contracts/plugin.js';
import { PluginError } from '../errors.js';

export interface PluginInfo {
  readonly name: string;
  readonly version: string;
  readonly domain: string;
  /** The string tokens the plugin registered (`vision/var`, ...). */
  readonly provides: readonly string[];
}

/**
 * Plugins register, the registry resolves (ARCHITECTURE rule 4). Wraps a tsyringe child container and
 * records which names each plugin provides.
 */
export class Registry {
  private readonly installed = new Map<string, { plugin: Plugin; provides: string[] }>();

  constructor(readonly container: DependencyContainer = rootContainer.createChildContainer()) {}

  use(plugin: Plugin): this {
    if (plugin.contractVersion !== CONTRACT_VERSION) {
      throw new PluginError(
        `plugin ${plugin.name}@${plugin.version} was written for contract version ${plugin.contractVersion}, ` +
          `this @nextx/core implements version ${CONTRACT_VERSION}; install matching versions`,
      );
    }
    if (this.installed.has(plugin.name)) return this;
    const provides: string[] = [];
    plugin.register(this.recordingContainer(plugin, provides));
    this.installed.set(plugin.name, { plugin, provides });
    return this;
  }

  has(name: string): boolean {
    return this.container.isRegistered(name, true);
  }

  resolve<T>(name: string): T {
    if (!this.has(name)) {
      const known = this.plugins().flatMap((p) => p.provides);
      throw new PluginError(
        `nothing is registered as '${name}'. Registered: ${known.length ? known.join(', ') : 'none'}. ` +
          `Install the package that provides it (npm i @nextx/${name.split('/')[0]}) and load its plugin.`,
      );
    }
    return this.container.resolve<T>(name);
  }

  plugins(): PluginInfo[] {
    return [...this.installed.values()].map(({ plugin, provides }) => ({
      name: plugin.name,
      version: plugin.version,
      domain: plugin.domain,
      provides: [...provides],
    }));
  }

  plugin(name: string): Plugin | undefined {
    return this.installed.get(name)?.plugin;
  }

  /** The installed plugin that registered `name`. */
  providerOf(name: string): Plugin | undefined {
    for (const { plugin, provides } of this.installed.values()) if (provides.includes(name)) return plugin;
    return undefined;
  }

  private recordingContainer(plugin: Plugin, provides: string[]): PluginContainer {
    const target = this.container;
    const record = (token: InjectionToken<unknown>) => {
      if (typeof token !== 'string') return;
      if (target.isRegistered(token, true)) {
        throw new PluginError(`plugin ${plugin.name} registers '${token}', which another plugin already provides`);
      }
      provides.push(token);
    };
    return {
      register: ((token: InjectionToken<unknown>, provider: never, options?: never) => {
        record(token);
        return target.register(token, provider, options);
      }) as PluginContainer['register'],
      registerInstance: ((token: InjectionToken<unknown>, instance: unknown) => {
        record(token);
        return target.registerInstance(token, instance);
      }) as PluginContainer['registerInstance'],
      isRegistered: target.isRegistered.bind(target),
      resolve: target.resolve.bind(target),
    };
  }
}
