import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORTUNES_DIR, loadCorpus, splitByDocument } from '../../src/data/corpus.js';
import { encodeDocuments } from '../../src/data/token-stream.js';
import { ByteTokenizer } from '../../src/tokenizers/byte-tokenizer.js';

describe('corpora and the held-out split', () => {
  it('reads folders recursively (one document per file, sorted), and names a missing path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nextx-corpus-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'b.txt'), 'second');
    writeFileSync(join(dir, 'a.txt'), 'first');
    writeFileSync(join(dir, 'sub', 'c.md'), 'third');
    const docs = loadCorpus(dir);
    expect(docs.map((d) => new TextDecoder().decode(d.bytes))).toEqual(['first', 'second', 'third']);
    expect(() => loadCorpus(join(dir, 'nope'))).toThrow(/nope': no such file or folder \(built-in corpora: sotu, moby-dick, fortunes\)/);
    const stream = encodeDocuments(docs, new ByteTokenizer());
    expect(new TextDecoder().decode(Uint8Array.from(stream))).toBe('first\nsecond\nthird\n');
  });

  it('the built-in corpora: every State of the Union address and every Moby-Dick chapter are documents', () => {
    const sotu = loadCorpus('sotu');
    expect(sotu.length).toBeGreaterThan(200);
    expect(sotu[0]?.name).toMatch(/^sotu\/1790_george_washington/);
    const moby = loadCorpus('moby-dick');
    expect(moby.some((d) => d.name.endsWith('chapter_135.txt'))).toBe(true);
    if (existsSync(FORTUNES_DIR)) expect(loadCorpus('fortunes').length).toBeGreaterThan(1000);
    else expect(() => loadCorpus('fortunes')).toThrow(/apt-get install fortunes/);
  });

  it('holds out whole documents, stably: a document is never split, and adding documents keeps earlier decisions', () => {
    const docs = Array.from({ length: 200 }, (_, i) => ({ name: `doc-${i}`, bytes: new Uint8Array([i % 256]) }));
    const { train, heldOut } = splitByDocument(docs, { fraction: 0.1 });
    expect(train.length + heldOut.length).toBe(200);
    expect(heldOut.length).toBeGreaterThan(5);
    expect(heldOut.length).toBeLessThan(40);
    const names = new Set(train.map((d) => d.name));
    expect(heldOut.every((d) => !names.has(d.name))).toBe(true);
    const more = splitByDocument([...docs, ...Array.from({ length: 50 }, (_, i) => ({ name: `extra-${i}`, bytes: new Uint8Array([1]) }))], { fraction: 0.1 });
    const held = new Set(more.heldOut.map((d) => d.name));
    expect(heldOut.every((d) => held.has(d.name))).toBe(true);
    expect(() => splitByDocument(docs.slice(0, 1))).toThrow(/at least 2 documents/);
  });
});
