/**
 * GPT-2's byte-level alphabet (`bytes_to_unicode`, also Hugging Face's ByteLevel pre-tokenizer): every byte as one
 * printable Unicode character, so any byte string is a string BPE can merge over and a tokenizer.json can hold.
 */
export function byteToUnicode(): string[] {
  const printable: number[] = [];
  for (let i = 33; i <= 126; i++) printable.push(i);
  for (let i = 161; i <= 172; i++) printable.push(i);
  for (let i = 174; i <= 255; i++) printable.push(i);
  const table: string[] = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCodePoint(b);
  let extra = 0;
  for (let b = 0; b < 256; b++) if (table[b] === undefined) table[b] = String.fromCodePoint(256 + extra++);
  return table;
}

/** GPT-2's pre-tokenizer pattern (the ByteLevel pre-tokenizer with use_regex): words are split before merging. */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
