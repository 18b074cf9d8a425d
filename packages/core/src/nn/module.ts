import { tf } from '../tf.js';
import { CheckpointError } from '../errors.js';
import { hostToTensor, isHostTensor, type HostTensor } from '../io/host-tensor.js';
import { fromTorchLayout, toTorchLayout, torchShape, type TorchLayout } from './torch-layout.js';
import type { Rng, RngState } from '../rng/rng.js';

/** One module's part of `Module.trainingState()`. */
export interface ModuleTrainingState {
  readonly rngs?: Readonly<Record<string, RngState>>;
  readonly extra?: unknown;
}

interface Slot {
  variable: tf.Variable;
  layout: TorchLayout;
  /** Buffers are state that is not trained (running stats, masks); `persistent` ones are saved. */
  kind: 'parameter' | 'buffer';
  persistent: boolean;
}

export type StateDict = Record<string, tf.Tensor>;
/** Tensors decoded into host memory, by name (what `readHostWeights` returns). */
export type HostStateDict = ReadonlyMap<string, HostTensor>;
/** What `loadStateDict` accepts: tf tensors by name, or a Map of tf or host tensors. */
export type StateDictSource = StateDict | ReadonlyMap<string, tf.Tensor | HostTensor>;

export interface LoadStateDictOptions {
  /** Refuse missing and unexpected keys (default true). */
  readonly strict?: boolean;
  /** Names the source in errors. */
  readonly source?: string;
  /** Keys of the source to ignore (buffers a reader does not need, e.g. statistics). */
  readonly ignore?: readonly string[];
}

/**
 * Base of every layer and model: children, parameters and buffers addressed by dotted PyTorch-style names
 * (`blocks.0.attn.mat_qkv.weight`). Parameters are tf.Variables; buffers are non-trainable Variables so that
 * loading assigns in place and references stay valid.
 */
export abstract class Module {
  private readonly children = new Map<string, Module>();
  private readonly slots = new Map<string, Slot>();
  private readonly rngs = new Map<string, Rng>();
  private isTraining = true;

  protected addModule<M extends Module>(name: string, module: M): M {
    this.assertFreeName(name);
    this.children.set(name, module);
    return module;
  }

  /** Registers a trainable parameter; takes ownership of `initial`. */
  protected addParameter(name: string, initial: tf.Tensor, layout: TorchLayout = 'same'): tf.Variable {
    return this.addSlot(name, initial, { layout, kind: 'parameter', persistent: true });
  }

  /** Registers a buffer (not trained); takes ownership of `initial`. */
  protected addBuffer(
    name: string,
    initial: tf.Tensor,
    options: { layout?: TorchLayout; persistent?: boolean } = {},
  ): tf.Variable {
    return this.addSlot(name, initial, {
      layout: options.layout ?? 'same',
      kind: 'buffer',
      persistent: options.persistent ?? true,
    });
  }

  /**
   * Registers an Rng the module draws from while it runs (dropout, drop path): its position is part of the module's
   * training state (`trainingState`), saved in training checkpoints so that a resumed run draws the same masks.
   * Returns `rng`.
   */
  protected addRng(name: string, rng: Rng): Rng {
    if (!name || name.includes('.') || this.rngs.has(name)) throw new Error(`invalid or repeated Rng name '${name}'`);
    this.rngs.set(name, rng);
    return rng;
  }

  /**
   * State of this module that is neither a parameter nor a buffer but changes while it trains (a counter, a
   * schedule position), as JSON; PyTorch's `get_extra_state`. None by default.
   */
  protected getExtraState(): unknown {
    return undefined;
  }

  /** Restores what `getExtraState` returned (PyTorch's `set_extra_state`). */
  protected setExtraState(_state: unknown): void {
    // nothing to restore by default
  }

  /**
   * What a training checkpoint needs besides the weights to resume this module and its children exactly: per module
   * path, the positions of its registered Rngs and its extra state (only modules that have either appear).
   */
  trainingState(): Record<string, ModuleTrainingState> {
    const out: Record<string, ModuleTrainingState> = {};
    for (const [path, module] of this.namedModules()) {
      const rngs = Object.fromEntries([...module.rngs].map(([name, rng]) => [name, rng.state()]));
      const extra = module.getExtraState();
      if (module.rngs.size === 0 && extra === undefined) continue;
      out[path] = { ...(module.rngs.size ? { rngs } : {}), ...(extra === undefined ? {} : { extra }) };
    }
    return out;
  }

  /** Restores `trainingState()`; a module or Rng missing from `states` (an older checkpoint) is left as it is. */
  loadTrainingState(states: Readonly<Record<string, ModuleTrainingState>>): void {
    for (const [path, module] of this.namedModules()) {
      const state = states[path];
      if (!state) continue;
      for (const [name, rng] of module.rngs) {
        const saved = state.rngs?.[name];
        if (saved) rng.restore(saved);
      }
      if (state.extra !== undefined) module.setExtraState(state.extra);
    }
  }

  private addSlot(name: string, initial: tf.Tensor, slot: Omit<Slot, 'variable'>): tf.Variable {
    this.assertFreeName(name);
    const variable = tf.variable(initial, slot.kind === 'parameter');
    initial.dispose();
    this.slots.set(name, { ...slot, variable });
    return variable;
  }

  private assertFreeName(name: string): void {
    if (!name || name.includes('.')) throw new Error(`invalid member name '${name}'`);
    if (this.children.has(name) || this.slots.has(name)) throw new Error(`member '${name}' is already registered`);
  }

  get training(): boolean {
    return this.isTraining;
  }

  /** Sets training mode here and in every child (dropout, label dropout, ...). */
  train(mode = true): this {
    this.isTraining = mode;
    for (const child of this.children.values()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [name, child] of this.children) out.push(...child.namedModules(join(prefix, name)));
    return out;
  }

  private namedSlots(prefix = ''): Array<[string, Slot]> {
    const out: Array<[string, Slot]> = [];
    for (const [name, slot] of this.slots) out.push([join(prefix, name), slot]);
    for (const [name, child] of this.children) out.push(...child.namedSlots(join(prefix, name)));
    return out;
  }

  namedParameters(): Array<[string, tf.Variable]> {
    return this.namedSlots()
      .filter(([, slot]) => slot.kind === 'parameter')
      .map(([name, slot]) => [name, slot.variable]);
  }

  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, variable]) => variable);
  }

  namedBuffers(): Array<[string, tf.Variable]> {
    return this.namedSlots()
      .filter(([, slot]) => slot.kind === 'buffer')
      .map(([name, slot]) => [name, slot.variable]);
  }

  numParameters(): number {
    return this.parameters().reduce((sum, p) => sum + p.size, 0);
  }

  /** Persistent parameters and buffers in PyTorch layout. New tensors: the caller disposes them. */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, slot] of this.namedSlots()) {
      if (slot.persistent) out[name] = toTorchLayout(slot.variable, slot.layout);
    }
    return out;
  }

  /** The PyTorch-layout shape of every persistent entry, without copying anything. */
  stateDictShapes(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [name, slot] of this.namedSlots()) {
      if (slot.persistent) out[name] = torchShape(slot.variable.shape, slot.layout);
    }
    return out;
  }

  /**
   * Assigns every entry from a PyTorch-layout state dict (converting layouts once). Shapes are checked
   * before anything is assigned; a mismatch, a missing or an unexpected key is a CheckpointError.
   * Integer tensors are cast to the slot's dtype (int64 buffers arrive as int32). Host tensors (a Map from
   * `readHostWeights`) become tf tensors one at a time, so loading needs the model's memory plus one tensor, not two
   * copies of the model.
   */
  loadStateDict(stateDict: StateDictSource, options: LoadStateDictOptions = {}): void {
    const source = options.source ?? 'state dict';
    const strict = options.strict ?? true;
    const ignore = new Set(options.ignore ?? []);
    const entries = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const slots = this.namedSlots().filter(([, slot]) => slot.persistent);
    const problems: string[] = [];
    for (const [name, slot] of slots) {
      const entry = entries.get(name);
      if (!entry) {
        if (strict) problems.push(`missing '${name}'`);
        continue;
      }
      const expected = torchShape(slot.variable.shape, slot.layout);
      if (!sameShape(entry.shape, expected)) {
        problems.push(`'${name}' has shape [${entry.shape}], the model expects [${expected}]`);
      }
    }
    if (strict) {
      const known = new Set(slots.map(([name]) => name));
      for (const name of entries.keys()) {
        if (!known.has(name) && !ignore.has(name)) problems.push(`unexpected '${name}'`);
      }
    }
    if (problems.length) {
      const shown = problems.slice(0, 12).join('; ');
      const more = problems.length > 12 ? ` (and ${problems.length - 12} more)` : '';
      throw new CheckpointError(source, `does not fit the model: ${shown}${more}`);
    }
    for (const [name, slot] of slots) {
      const entry = entries.get(name);
      if (!entry) continue;
      tf.tidy(() => {
        const tensor = isHostTensor(entry) ? hostToTensor(entry) : entry;
        const converted = fromTorchLayout(tensor, slot.layout);
        slot.variable.assign(converted.dtype === slot.variable.dtype ? converted : tf.cast(converted, slot.variable.dtype));
      });
    }
  }

  /**
   * Frees every parameter and buffer of this module, then disposes each child (so a child that holds more, such as
   * cached constant tensors, frees that too by overriding `dispose`).
   */
  dispose(): void {
    for (const slot of this.slots.values()) slot.variable.dispose();
    for (const child of this.children.values()) child.dispose();
  }
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A list of modules addressed `0`, `1`, ... like torch.nn.ModuleList. */
export class ModuleList<M extends Module> extends Module {
  readonly items: readonly M[];
  constructor(items: readonly M[]) {
    super();
    items.forEach((item, i) => this.addModule(String(i), item));
    this.items = items;
  }
  get length(): number {
    return this.items.length;
  }
  at(index: number): M {
    const item = this.items[index];
    if (!item) throw new RangeError(`ModuleList index ${index} out of range (length ${this.items.length})`);
    return item;
  }
}
