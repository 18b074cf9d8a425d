import { zipSync } from 'fflate';

/** Hand-assembles pickle bytes (protocol 2), for tests of the restricted unpickler. */
export class PickleBuilder {
  private readonly parts: number[] = [0x80, 2];
  op(...bytes: number[]): this {
    this.parts.push(...bytes);
    return this;
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...Buffer.from(`${module}\n${name}\n`));
  }
  stackGlobal(module: string, name: string): this {
    return this.str(module).str(name).op(0x93);
  }
  str(s: string): this {
    const b = Buffer.from(s);
    return this.op(0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b);
  }
  int(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return this.op(0x4a, ...b);
  }
  tuple(fill: (p: this) => void): this {
    this.op(0x28);
    fill(this);
    return this.op(0x74);
  }
  bytes(): Uint8Array {
    return Uint8Array.from([...this.parts, 0x2e]);
  }
}

export interface FakeTensor {
  readonly name: string;
  readonly storage: string;
  readonly storageType?: string;
  readonly numel: number;
  readonly offset?: number;
  readonly size: number[];
  readonly stride: number[];
}

/** The pickle torch.save writes for an OrderedDict of tensors over the given storages. */
export function stateDictPickle(tensors: readonly FakeTensor[]): Uint8Array {
  const p = new PickleBuilder().global('collections', 'OrderedDict').op(0x29, 0x52).op(0x28);
  for (const t of tensors) {
    p.str(t.name).global('torch._utils', '_rebuild_tensor_v2');
    p.tuple((q) => {
      q.tuple((r) => r.str('storage').global('torch', t.storageType ?? 'FloatStorage').str(t.storage).str('cpu').int(t.numel)).op(0x51);
      q.int(t.offset ?? 0);
      q.tuple((r) => t.size.forEach((d) => r.int(d)));
      q.tuple((r) => t.stride.forEach((d) => r.int(d)));
      q.op(0x89).global('collections', 'OrderedDict').op(0x29, 0x52);
    });
    p.op(0x52);
  }
  return p.op(0x75).bytes();
}

/** A torch.save-style zip: archive/data.pkl, archive/data/<key>, archive/version, all STORED. */
export function pthArchive(pickle: Uint8Array, storages: Record<string, Uint8Array>): Uint8Array {
  const files: Record<string, Uint8Array> = { 'archive/data.pkl': pickle, 'archive/version': Buffer.from('3\n') };
  for (const [key, data] of Object.entries(storages)) files[`archive/data/${key}`] = data;
  return zipSync(files, { level: 0 });
}
