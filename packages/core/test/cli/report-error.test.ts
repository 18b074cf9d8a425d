import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { exitCodeFor, formatCliError } from '../../src/cli/report-error.js';

describe('CLI error paragraphs', () => {
  it('names a wasm trap as the wasm backend failing, most often out of heap', () => {
    const trap = new (globalThis as unknown as { WebAssembly: { RuntimeError: new (m: string) => Error } }).WebAssembly.RuntimeError('memory access out of bounds');
    expect(formatCliError(trap)).toMatch(/^nextx: the wasm backend failed \(memory access out of bounds\); most often its 4 GiB heap is exhausted/);
    expect(formatCliError(new RangeError('bad'))).toBe('nextx: unexpected RangeError: bad (set NEXTX_DEBUG=1 for the stack trace)');
    expect(formatCliError(new CheckpointError('a.pth', 'truncated', 12))).toMatch(/^nextx: .*a\.pth.*truncated/);
    expect(exitCodeFor(trap)).toBe(1);
  });
});
