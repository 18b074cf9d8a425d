/**
 * A minimal GIF89a reader for tests, written from the format description (not from the encoder): screen size, the
 * global palette, and each frame's palette indices (LZW decoded, no interlace), plus its delay in 1/100 s.
 */
export interface DecodedGif {
  readonly width: number;
  readonly height: number;
  readonly palette: number[][];
  readonly frames: { readonly indices: Uint8Array; readonly delay: number }[];
  readonly loops: boolean;
}

export function decodeGif(bytes: Uint8Array): DecodedGif {
  const text = String.fromCharCode(...bytes.subarray(0, 6));
  if (text !== 'GIF89a') throw new Error(`not a GIF89a file: ${text}`);
  let at = 6;
  const u16 = () => {
    const v = (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
    at += 2;
    return v;
  };
  const width = u16();
  const height = u16();
  const packed = bytes[at] as number;
  at += 3;
  let palette: number[][] = [];
  if (packed & 0x80) {
    const entries = 2 << (packed & 7);
    palette = Array.from({ length: entries }, (_, i) => [bytes[at + 3 * i] as number, bytes[at + 3 * i + 1] as number, bytes[at + 3 * i + 2] as number]);
    at += 3 * entries;
  }
  const subBlocks = () => {
    const parts: number[] = [];
    for (let size = bytes[at++] as number; size > 0; size = bytes[at++] as number) {
      parts.push(...bytes.subarray(at, at + size));
      at += size;
    }
    return Uint8Array.from(parts);
  };
  const frames: { indices: Uint8Array; delay: number }[] = [];
  let delay = 0;
  let loops = false;
  for (;;) {
    const introducer = bytes[at++];
    if (introducer === 0x3b) break;
    if (introducer === 0x21) {
      const label = bytes[at++];
      const body = subBlocks();
      if (label === 0xf9) delay = (body[1] as number) | ((body[2] as number) << 8);
      if (label === 0xff && String.fromCharCode(...body.subarray(0, 11)) === 'NETSCAPE2.0') loops = true;
    } else if (introducer === 0x2c) {
      at += 8;
      const flags = bytes[at++] as number;
      if (flags & 0x80) at += 3 * (2 << (flags & 7));
      const minCodeSize = bytes[at++] as number;
      frames.push({ indices: lzwDecode(subBlocks(), minCodeSize, width * height), delay });
    } else {
      throw new Error(`bad block introducer ${introducer} at ${at - 1}`);
    }
  }
  return { width, height, palette, frames, loops };
}

function lzwDecode(data: Uint8Array, minCodeSize: number, pixels: number): Uint8Array {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  let size = minCodeSize + 1;
  let table: number[][] = [];
  const reset = () => {
    table = Array.from({ length: clear + 2 }, (_, i) => (i < clear ? [i] : []));
    size = minCodeSize + 1;
  };
  reset();
  const out: number[] = [];
  let previous: number[] | undefined;
  let bit = 0;
  while (bit + size <= data.length * 8 && out.length < pixels) {
    let code = 0;
    for (let i = 0; i < size; i++, bit++) code |= (((data[bit >> 3] as number) >> (bit & 7)) & 1) << i;
    if (code === clear) {
      reset();
      previous = undefined;
      continue;
    }
    if (code === end) break;
    const entry = code < table.length ? (table[code] as number[]) : [...(previous as number[]), (previous as number[])[0] as number];
    out.push(...entry);
    if (previous) table.push([...previous, entry[0] as number]);
    previous = entry;
    if (table.length === 1 << size && size < 12) size++;
  }
  return Uint8Array.from(out.slice(0, pixels));
}
