import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { CheckpointError } from '../../src/errors.js';
import { decodePth } from '../../src/io/pth-read.js';
import { decodeSafetensors, parseSafetensorsHeader } from '../../src/io/safetensors-read.js';
import { inspectWeights, readWeights } from '../../src/io/weights-file.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { PickleBuilder, pthArchive, stateDictPickle } from './pth-builder.js';

const fixture = (name: string) => new URL(`../fixtures/var-tiny-a/${name}`, import.meta.url).pathname;
const floats = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

describe.each(TEST_BACKENDS)('weights files as tf tensors on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  it('readWeights dispatches on the format; inspectWeights lists stored dtypes without decoding', () => {
    const before = tf.memory().numTensors;
    const weights = readWeights(fixture('var.pth'));
    expect(weights['lvl_1L']!.shape).toEqual([1, 30]);
    tf.dispose(Object.values(weights));
    expect(tf.memory().numTensors).toBe(before);
    const report = inspectWeights(fixture('var.pth'));
    const fromSt = inspectWeights(fixture('var.safetensors'));
    expect(report.format).toBe('pth');
    expect(fromSt.format).toBe('safetensors');
    expect(report.tensors).toEqual(fromSt.tensors);
    expect(report.tensors.find((t) => t.name === 'lvl_1L')).toEqual({ name: 'lvl_1L', dtype: 'I64', shape: [1, 30], bytes: 240 });
    expect(parseSafetensorsHeader({ bytes: readFileSync(fixture('var.safetensors')), file: 'x' }).entries.length).toBe(report.tensors.length);
  });

  it('readWeights of var.safetensors and var.pth gives bit-identical tf tensors', () => {
    const before = tf.memory().numTensors;
    const a = readWeights(fixture('var.pth'));
    const b = readWeights(fixture('var.safetensors'));
    for (const name of Object.keys(b)) {
      const x = a[name]!.dataSync();
      const y = b[name]!.dataSync();
      expect(a[name]!.dtype, name).toBe(b[name]!.dtype);
      expect(Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength)), name).toBe(true);
    }
    tf.dispose([...Object.values(a), ...Object.values(b)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('PyTorch .pth reader', () => {
  it.each(['vae', 'var'])('%s.pth and %s.safetensors hold the same names, shapes, dtypes and bit-identical values', (stem) => {
    const pth = decodePth({ bytes: readFileSync(fixture(`${stem}.pth`)), file: `${stem}.pth` });
    const st = decodeSafetensors({ bytes: readFileSync(fixture(`${stem}.safetensors`)), file: `${stem}.safetensors` }).tensors;
    expect([...pth.keys()]).toEqual([...st.keys()]);
    for (const [name, a] of pth) {
      const b = st.get(name)!;
      expect(a.shape, name).toEqual(b.shape);
      expect(a.dtype, name).toBe(b.dtype);
      // Raw bits, so that -inf, NaN payloads and signed zeros count.
      expect(Buffer.from(a.values.buffer, a.values.byteOffset, a.values.byteLength).equals(Buffer.from(b.values.buffer, b.values.byteOffset, b.values.byteLength)), name).toBe(true);
    }
    if (stem === 'var') {
      const mask = pth.get('attn_bias_for_masking')!.values;
      expect(Array.from(mask).filter((v) => v === -Infinity).length).toBeGreaterThan(0);
      expect(pth.get('lvl_1L')!.dtype).toBe('int32');
    }
  });

  it('gathers a non-contiguous view (a transposed tensor sharing a storage) with its offset', () => {
    const storage = floats([9, 0, 1, 2, 3, 4, 5]);
    const pickle = stateDictPickle([
      { name: 'w', storage: '0', numel: 7, offset: 1, size: [2, 3], stride: [3, 1] },
      { name: 'wt', storage: '0', numel: 7, offset: 1, size: [3, 2], stride: [1, 3] },
    ]);
    const out = decodePth({ bytes: pthArchive(pickle, { '0': storage }), file: 't.pth' });
    expect(Array.from(out.get('w')!.values)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(out.get('wt')!.values)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('converts LongStorage to int32 and refuses a value outside int32, naming the tensor and value', () => {
    const longs = (values: bigint[]) => new Uint8Array(BigInt64Array.from(values).buffer);
    const ok = stateDictPickle([{ name: 'idx', storage: '0', storageType: 'LongStorage', numel: 2, size: [2], stride: [1] }]);
    const out = decodePth({ bytes: pthArchive(ok, { '0': longs([-3n, 2n ** 31n - 1n]) }), file: 'l.pth' }).get('idx')!;
    expect(out.dtype).toBe('int32');
    expect(Array.from(out.values)).toEqual([-3, 2147483647]);
    expect(() => decodePth({ bytes: pthArchive(ok, { '0': longs([0n, 2n ** 40n]) }), file: 'l.pth' })).toThrow(
      /tensor 'idx' \(I64\) holds 1099511627776 at element 1/,
    );
  });

  it('refuses a view that reaches past its storage', () => {
    const pickle = stateDictPickle([{ name: 'w', storage: '0', numel: 4, offset: 1, size: [2, 2], stride: [2, 1] }]);
    expect(() => decodePth({ bytes: pthArchive(pickle, { '0': floats([0, 1, 2, 3]) }), file: 't.pth' })).toThrow(/reach past its 4-element storage/);
  });

  const hostile: Array<[string, (p: PickleBuilder) => PickleBuilder]> = [
    ['os.system via GLOBAL', (p) => p.global('os', 'system').str('echo pwned').op(0x85, 0x52)],
    ['posix.system via GLOBAL', (p) => p.global('posix', 'system').str('id').op(0x85, 0x52)],
    ['builtins.eval via STACK_GLOBAL', (p) => p.stackGlobal('builtins', 'eval').str('1+1').op(0x85, 0x52)],
    ['__builtin__.exec via GLOBAL', (p) => p.global('__builtin__', 'exec').str('x=1').op(0x85, 0x52)],
    ['subprocess.Popen via STACK_GLOBAL', (p) => p.stackGlobal('subprocess', 'Popen').str('ls').op(0x85, 0x52)],
    ['torch.load via GLOBAL', (p) => p.global('torch', 'load')],
  ];
  it.each(hostile)('refuses a pickle naming %s, with the global in the message', (name, make) => {
    const pickle = make(new PickleBuilder()).bytes();
    const global = name.split(' ')[0] as string;
    const run = () => decodePth({ bytes: pthArchive(pickle, {}), file: 'evil.pth' });
    expect(run).toThrow(CheckpointError);
    expect(run).toThrow(new RegExp(`refusing global '${global.replace('.', '\\.')}'`));
  });

  it('refuses opcodes outside the state-dict set (INST, OBJ, NEWOBJ, EXT1) with their offset', () => {
    for (const op of [0x69, 0x6f, 0x81, 0x82]) {
      const pickle = new PickleBuilder().op(op).bytes();
      try {
        decodePth({ bytes: pthArchive(pickle, {}), file: 'evil.pth' });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(CheckpointError);
        expect((error as Error).message).toMatch(new RegExp(`opcode 0x${op.toString(16)} is not allowed`));
        expect((error as CheckpointError).offset).toBe(2);
      }
    }
  });

  it('names a .pth that is no zip, and a cut-off one, as what they are (not as a bad safetensors header)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nextx-pth-'));
    try {
      const text = join(dir, 'notes.pth');
      writeFileSync(text, 'hello world\n');
      expect(() => readWeights(text)).toThrow(/notes\.pth \(byte 0\): not a PyTorch checkpoint: torch\.save writes a zip archive .* this file starts with 68 65 6c 6c 6f 20 77 6f$/);
      const empty = join(dir, 'empty.pt');
      writeFileSync(empty, '');
      expect(() => inspectWeights(empty)).toThrow(/empty\.pt \(byte 0\): the file is empty/);
      const whole = readFileSync(fixture('vae.pth'));
      for (const cut of [100_000, whole.length - 10]) {
        const truncated = join(dir, `cut-${cut}.pth`);
        writeFileSync(truncated, whole.subarray(0, cut));
        expect(() => readWeights(truncated)).toThrow(new RegExp(`\\(byte ${cut}\\): truncated: no end-of-central-directory record .* the file has ${cut} bytes`));
      }
      const safetensors = readFileSync(fixture('vae.safetensors'));
      const cut = join(dir, 'cut.safetensors');
      writeFileSync(cut, safetensors.subarray(0, 100_000));
      expect(() => readWeights(cut)).toThrow(/\(byte 100000\): truncated: the header places tensor data up to byte \d+, the file ends at byte 100000 \(\d+ bytes missing/);
      writeFileSync(cut, safetensors.subarray(0, 200));
      expect(() => readWeights(cut)).toThrow(/\(byte 0\): truncated: the header alone needs \d+ bytes, the file has 192 after the length field/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses compressed zip entries', async () => {
    const { zipSync } = await import('fflate');
    const bytes = zipSync({ 'archive/data.pkl': stateDictPickle([]) }, { level: 6 });
    expect(() => decodePth({ bytes, file: 'c.pth' })).toThrow(/is compressed/);
  });
});
