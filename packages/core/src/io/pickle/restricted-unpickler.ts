import { CheckpointError } from '../../errors.js';
import { isGlobal, type PyGlobal, type PyValue, type StorageRef, type TensorRef } from './pickle-values.js';

/** The storage types of torch's legacy typed storages, by element type (safetensors names). */
export const TORCH_STORAGE_DTYPES: Readonly<Record<string, string>> = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  DoubleStorage: 'F64',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** Exactly the globals a `torch.save(model.state_dict())` pickle names. Everything else is refused. */
const ALLOWED_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...Object.keys(TORCH_STORAGE_DTYPES).map((s) => `torch.${s}`),
]);

/** torch tensors have at most a few dozen dimensions; the cap keeps each tensor rebuild O(1) work. */
const MAX_RANK = 64;

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK;

/**
 * A pickle reader that knows only the opcodes and globals of a PyTorch state dict (protocol 2, as torch.save writes,
 * plus the protocol-4 FRAME/MEMOIZE/STACK_GLOBAL forms). REDUCE only calls the whitelisted constructors; any other
 * global, opcode or malformed structure is a CheckpointError naming it and its byte offset. Every opcode consumes
 * input and does work proportional to the items it pops (each pushed once) or O(MAX_RANK), so the work, the stack
 * depth and the memo size are all linear in the pickle's size: no input can make it hang or grow without bound.
 */
export class RestrictedUnpickler {
  private pos = 0;
  private readonly stack: StackItem[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PyValue>();
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
    private readonly persistentLoad: (pid: PyValue, offset: number) => PyValue,
    /** Added to offsets in messages (the pickle's position inside the archive). */
    private readonly baseOffset = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  load(): PyValue {
    while (this.pos < this.bytes.length) {
      const at = this.pos;
      const op = this.bytes[this.pos++] as number;
      if (op === 0x2e /* STOP */) {
        const result = this.pop(at);
        if (this.stack.length || this.marks.length) this.fail(at, 'STOP with items left on the stack');
        return result;
      }
      this.step(op, at);
    }
    return this.fail(this.pos, 'the pickle ends without STOP');
  }

  private step(op: number, at: number): void {
    switch (op) {
      case 0x80: // PROTO
        if (this.u8(at) > 5) this.fail(at, 'unsupported pickle protocol');
        return;
      case 0x95: // FRAME (protocol 4): a length hint only
        this.take(8, at);
        return;
      case 0x28: // MARK
        this.marks.push(this.stack.length);
        this.stack.push(MARK);
        return;
      case 0x7d: // EMPTY_DICT
        return this.push(new Map());
      case 0x5d: // EMPTY_LIST
      case 0x29: // EMPTY_TUPLE
        return this.push([]);
      case 0x74: // TUPLE
      case 0x6c: // LIST
        return this.push(this.popMark(at));
      case 0x64: // DICT
        return this.push(this.pairsToMap(this.popMark(at), new Map(), at));
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = op - 0x84;
        const items = Array.from({ length: n }, () => this.pop(at)).reverse();
        return this.push(items);
      }
      case 0x58: // BINUNICODE
        return this.push(this.utf8(this.view.getUint32(this.take(4, at), true), at));
      case 0x8c: // SHORT_BINUNICODE
        return this.push(this.utf8(this.u8(at), at));
      case 0x8d: // BINUNICODE8
        return this.push(this.utf8(this.u64(at), at));
      case 0x4a: // BININT
        return this.push(this.view.getInt32(this.take(4, at), true));
      case 0x4b: // BININT1
        return this.push(this.u8(at));
      case 0x4d: // BININT2
        return this.push(this.view.getUint16(this.take(2, at), true));
      case 0x8a: // LONG1
        return this.push(this.long1(at));
      case 0x88: // NEWTRUE
        return this.push(true);
      case 0x89: // NEWFALSE
        return this.push(false);
      case 0x4e: // NONE
        return this.push(null);
      case 0x47: // BINFLOAT (big-endian)
        return this.push(this.view.getFloat64(this.take(8, at), false));
      case 0x71: // BINPUT
        return this.memoize(this.u8(at), at);
      case 0x72: // LONG_BINPUT
        return this.memoize(this.view.getUint32(this.take(4, at), true), at);
      case 0x94: // MEMOIZE
        return this.memoize(this.memo.size, at);
      case 0x68: // BINGET
        return this.recall(this.u8(at), at);
      case 0x6a: // LONG_BINGET
        return this.recall(this.view.getUint32(this.take(4, at), true), at);
      case 0x63: // GLOBAL
        return this.push(this.global(this.line(at), this.line(at), at));
      case 0x93: {
        // STACK_GLOBAL
        const name = this.pop(at);
        const module = this.pop(at);
        if (typeof module !== 'string' || typeof name !== 'string') this.fail(at, 'STACK_GLOBAL needs two strings');
        return this.push(this.global(module as string, name as string, at));
      }
      case 0x52: {
        // REDUCE
        const args = this.pop(at);
        const callable = this.pop(at);
        return this.push(this.call(callable, args, at));
      }
      case 0x62: {
        // BUILD: only the `_metadata` state torch attaches to an OrderedDict, which is ignored
        this.pop(at);
        const target = this.stack[this.stack.length - 1];
        if (!(target instanceof Map)) this.fail(at, 'BUILD is only accepted on an OrderedDict');
        return;
      }
      case 0x73: {
        // SETITEM
        const value = this.pop(at);
        const key = this.pop(at);
        this.pairsToMap([key, value], this.top(at), at);
        return;
      }
      case 0x75: // SETITEMS
        this.pairsToMap(this.popMark(at), this.top(at), at);
        return;
      case 0x61: {
        // APPEND
        const value = this.pop(at);
        this.topList(at).push(value);
        return;
      }
      case 0x65: {
        // APPENDS
        const items = this.popMark(at);
        const list = this.topList(at);
        for (const item of items) list.push(item); // not push(...items): a long list would overflow the call stack
        return;
      }
      case 0x51: // BINPERSID
        return this.push(this.persistentLoad(this.pop(at), this.baseOffset + at));
      default:
        this.fail(at, `opcode 0x${op.toString(16).padStart(2, '0')} is not allowed in a state-dict pickle`);
    }
  }

  private global(module: string, name: string, at: number): PyGlobal {
    const qualified = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(qualified)) {
      this.fail(at, `refusing global '${qualified}': a state dict only names OrderedDict, torch tensor rebuilds and storages — this file may run code when loaded by PyTorch`);
    }
    return { kind: 'global', module, name };
  }

  private call(callable: PyValue, args: PyValue, at: number): PyValue {
    if (!isGlobal(callable)) return this.fail(at, 'REDUCE of something that is not a whitelisted global');
    if (!Array.isArray(args)) return this.fail(at, 'REDUCE arguments must be a tuple');
    const qualified = `${callable.module}.${callable.name}`;
    if (qualified === 'collections.OrderedDict') {
      if (args.length) this.fail(at, 'OrderedDict() is only accepted without arguments');
      return new Map();
    }
    if (qualified === 'torch._utils._rebuild_tensor_v2') return this.rebuildTensor(args, at);
    if (qualified === 'torch._utils._rebuild_parameter') {
      const data = args[0];
      if (!(typeof data === 'object' && data !== null && (data as TensorRef).kind === 'tensor')) this.fail(at, '_rebuild_parameter needs a tensor');
      return data as TensorRef;
    }
    return this.fail(at, `'${qualified}' cannot be called`);
  }

  private rebuildTensor(args: PyValue[], at: number): TensorRef {
    const [storage, offset, size, stride] = args;
    const isCount = (v: PyValue | undefined): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    if (!(typeof storage === 'object' && storage !== null && (storage as StorageRef).kind === 'storage')) {
      this.fail(at, '_rebuild_tensor_v2: the first argument must be a storage');
    }
    if (!isCount(offset)) this.fail(at, '_rebuild_tensor_v2: the storage offset must be a non-negative integer');
    if (Array.isArray(size) && size.length > MAX_RANK) this.fail(at, `_rebuild_tensor_v2: ${size.length} dimensions, more than ${MAX_RANK}`);
    if (!Array.isArray(size) || !Array.isArray(stride) || size.length !== stride.length || !size.every(isCount) || !stride.every(isCount)) {
      this.fail(at, '_rebuild_tensor_v2: size and stride must be tuples of non-negative integers of the same length');
    }
    return { kind: 'tensor', storage: storage as StorageRef, offset: offset as number, size: size as number[], stride: stride as number[] };
  }

  private pairsToMap(items: PyValue[], map: Map<PyValue, PyValue>, at: number): Map<PyValue, PyValue> {
    if (items.length % 2) this.fail(at, 'a dict needs key/value pairs');
    for (let i = 0; i < items.length; i += 2) map.set(items[i] as PyValue, items[i + 1] as PyValue);
    return map;
  }

  private top(at: number): Map<PyValue, PyValue> {
    const target = this.stack[this.stack.length - 1];
    if (!(target instanceof Map)) return this.fail(at, 'SETITEM(S) on something that is not a dict');
    return target;
  }

  private topList(at: number): PyValue[] {
    const target = this.stack[this.stack.length - 1];
    if (!Array.isArray(target)) return this.fail(at, 'APPEND(S) on something that is not a list');
    return target;
  }

  private push(value: PyValue): void {
    this.stack.push(value);
  }

  private pop(at: number): PyValue {
    const value = this.stack.pop();
    if (value === undefined || value === MARK) return this.fail(at, 'stack underflow');
    return value;
  }

  private popMark(at: number): PyValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) return this.fail(at, 'no MARK to pop to');
    const items = this.stack.splice(mark);
    items.shift();
    return items as PyValue[];
  }

  private memoize(index: number, at: number): void {
    const value = this.stack[this.stack.length - 1];
    if (value === undefined || value === MARK) this.fail(at, 'memo of an empty stack');
    this.memo.set(index, value as PyValue);
  }

  private recall(index: number, at: number): void {
    if (!this.memo.has(index)) this.fail(at, `memo index ${index} was never stored`);
    this.push(this.memo.get(index) as PyValue);
  }

  /** Advances over `n` argument bytes of the opcode at `at`; returns their offset. */
  private take(n: number, at: number): number {
    if (n > this.bytes.length - this.pos) this.fail(at, `opcode argument of ${n} bytes runs past the end of the pickle`);
    const start = this.pos;
    this.pos += n;
    return start;
  }

  private u8(at: number): number {
    return this.bytes[this.take(1, at)] as number;
  }

  private u64(at: number): number {
    const value = this.view.getBigUint64(this.take(8, at), true);
    if (value > BigInt(this.bytes.length)) this.fail(at, `length ${value} exceeds the pickle`);
    return Number(value);
  }

  private utf8(length: number, at: number): string {
    const start = this.take(length, at);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes.subarray(start, start + length));
    } catch {
      return this.fail(at, 'string is not valid UTF-8');
    }
  }

  private long1(at: number): number | bigint {
    const n = this.u8(at);
    if (n > 8) this.fail(at, `LONG1 of ${n} bytes is larger than a state dict needs`);
    const start = this.take(n, at);
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.bytes[start + i] as number);
    if (n > 0 && (this.bytes[start + n - 1] as number) & 0x80) value -= 1n << BigInt(8 * n);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  /** A newline-terminated ASCII line (GLOBAL's arguments), at most 256 bytes. */
  private line(at: number): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0 || end - this.pos > 256) this.fail(at, 'GLOBAL name is not a short newline-terminated line');
    const text = String.fromCharCode(...this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  private fail(at: number, detail: string): never {
    throw new CheckpointError(this.file, `pickle: ${detail}`, this.baseOffset + at);
  }
}
