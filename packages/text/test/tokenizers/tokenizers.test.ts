import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { checkTokenizerFits, BpeTokenizer } from '../../src/tokenizers/bpe-tokenizer.js';
import { ByteTokenizer } from '../../src/tokenizers/byte-tokenizer.js';
import { invalidUtf8Offset } from '../../src/tokenizers/text-tokenizer.js';
import { END_OF_TEXT, trainBpe } from '../../src/tokenizers/train-bpe.js';
import { GPT2_SPLIT, byteToUnicode } from '../../src/tokenizers/byte-level.js';

/** A reference written the slow way: recount every pair of every pre-token occurrence at each merge. */
function naiveMerges(texts: string[], count: number): string[] {
  const alphabet = byteToUnicode();
  const words: string[][] = texts.flatMap((t) => [...t.matchAll(GPT2_SPLIT)].map((m) => Array.from(new TextEncoder().encode(m[0]), (b) => alphabet[b] as string)));
  const merges: string[] = [];
  const ids = new Map<string, number>(alphabet.map((c, i) => [c, i]));
  while (merges.length < count) {
    const pairs = new Map<string, number>();
    for (const w of words) for (let i = 0; i + 1 < w.length; i++) pairs.set(`${w[i]} ${w[i + 1]}`, (pairs.get(`${w[i]} ${w[i + 1]}`) ?? 0) + 1);
    // Highest count; ties to the pair of smaller ids (the trainer's rule).
    const key = (p: string) => p.split(' ').map((t) => ids.get(t) as number);
    const best = [...pairs.entries()].sort((a, b) => b[1] - a[1] || (key(a[0])[0] as number) - (key(b[0])[0] as number) || (key(a[0])[1] as number) - (key(b[0])[1] as number))[0]?.[0] as string;
    merges.push(best);
    const [l, r] = best.split(' ') as [string, string];
    ids.set(l + r, ids.size);
    for (const w of words) for (let i = 0; i + 1 < w.length; i++) if (w[i] === l && w[i + 1] === r) w.splice(i, 2, l + r);
  }
  return merges;
}

const CORPUS = ['the cat sat on the mat. the cat ate the rat.', 'The theme of the thesis: the other theory.', 'café, naïve — “quotes” and 123 456.'];

describe('tokenizers', () => {
  it('bytes: V = 256, 8 bits, UTF-8 round trip', () => {
    const t = new ByteTokenizer();
    expect([t.vocabSize, t.bitsPerToken]).toEqual([256, 8]);
    const ids = t.encodeText('café ☕');
    expect(ids.length).toBe(new TextEncoder().encode('café ☕').length);
    expect(t.decodeIds(ids)).toBe('café ☕');
    expect(() => t.decodeIds([65, 256])).toThrow(/id 256 at position 1 is outside the vocabulary \[0, 256\)/);
  });

  it('trains a byte-level BPE whose tokenizer.json @huggingface/tokenizers loads; merges the most frequent pair first', () => {
    const json = trainBpe(CORPUS, { vocabSize: 300, minFrequency: 2 });
    expect(json.model.merges.slice(0, 6)).toEqual(naiveMerges(CORPUS, 6));
    const tok = new BpeTokenizer(json, 'mem.json');
    expect(tok.vocabSize).toBe(256 + json.model.merges.length + 1);
    expect(tok.separatorId).toBe(json.model.vocab[END_OF_TEXT]);
    for (const text of [...CORPUS, 'unseen words: zebra ☕']) expect(tok.decodeIds(tok.encodeText(text))).toBe(text);
    // Fewer ids than bytes on the training text.
    expect(tok.encodeText(CORPUS[0] as string).length).toBeLessThan((CORPUS[0] as string).length);
    // The per-pre-token cache gives exactly the ids of the library's own encode.
    const direct = new Tokenizer(json, {});
    for (const text of CORPUS) expect(Array.from(tok.encodeText(text))).toEqual(direct.encode(text, { add_special_tokens: false }).ids);
  });

  it('a tokenizer.json from a file: GPT-2-sized vocabularies need 16 bits; too large for the model, bad files, bad UTF-8 are named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nextx-tok-'));
    const json = trainBpe(CORPUS, { vocabSize: 280 });
    // A vocabulary with ids up to 50,256 (GPT-2's size): the model must write 16 bits per token.
    const wide = { ...json, added_tokens: [{ id: 50_256, content: END_OF_TEXT, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }], model: { ...json.model, vocab: { ...json.model.vocab, [END_OF_TEXT]: 50_256 } } };
    const file = join(dir, 'tokenizer.json');
    writeFileSync(file, JSON.stringify(wide));
    const tok = BpeTokenizer.fromFile(file);
    expect([tok.vocabSize, tok.bitsPerToken]).toEqual([50_257, 16]);
    expect(() => checkTokenizerFits(tok, 12, 'text/cobit')).toThrow(/50257 ids do not fit the 12 bits per token of text\/cobit .* it needs 16/);
    writeFileSync(join(dir, 'broken.json'), '{"model":');
    expect(() => BpeTokenizer.fromFile(join(dir, 'broken.json'))).toThrow(/broken\.json: not valid JSON/);
    expect(() => BpeTokenizer.fromFile(join(dir, 'missing.json'))).toThrow(/missing\.json: tokenizer file not found/);
    const bad = Uint8Array.from([0x61, 0x62, 0xc3, 0x28, 0x63]);
    expect(invalidUtf8Offset(bad)).toBe(2);
    expect(invalidUtf8Offset(new TextEncoder().encode('ok ☕ 𝄞'))).toBeUndefined();
    expect(invalidUtf8Offset(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(() => tok.encodeBytes(bad, 'speech.txt')).toThrow(/speech\.txt: invalid UTF-8 at byte 2 \(0xc3\)/);
  });
});
