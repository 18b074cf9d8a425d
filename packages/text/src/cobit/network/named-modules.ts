import { Module } from '@nextx/core';

/** Children under given names, as an `nn.Sequential` whose parameter-free entries (activations, dropout) are gaps. */
export class NamedModules extends Module {
  constructor(entries: ReadonlyArray<readonly [string, Module]>) {
    super();
    for (const [name, module] of entries) this.addModule(name, module);
  }
}
