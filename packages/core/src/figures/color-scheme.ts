import { z } from 'zod';
import type { Vega } from './render.js';

/**
 * Continuous colour schemes: Vega's own (so that a colour bar and the pixels it explains agree), and `gray`, an exact
 * linear black → white ramp for images (Vega's `greys` runs light → dark and stops short of both ends).
 */
export const colorSchemeSchema = z.enum([
  'viridis', 'magma', 'inferno', 'plasma', 'cividis', 'turbo',
  'blues', 'greens', 'greys', 'oranges', 'purples', 'reds',
  'blueorange', 'redblue', 'purplegreen', 'gray',
]);

export type ColorScheme = z.infer<typeof colorSchemeSchema>;

/** The Vega-Lite colour scale properties that draw `scheme` over `domain`. */
export function colorScaleOf(scheme: ColorScheme, domain: readonly [number, number]): Record<string, unknown> {
  return { domain: [...domain], ...(scheme === 'gray' ? { range: ['#000000', '#ffffff'] } : { scheme }) };
}

/** 256 RGB colours of `scheme`, from its low end to its high end. */
export function colorTable(vega: Vega, scheme: ColorScheme): Uint8Array {
  const table = new Uint8Array(256 * 3);
  const interpolate = scheme === 'gray' ? undefined : (vega.scheme(scheme) as (t: number) => string);
  for (let i = 0; i < 256; i++) table.set(interpolate ? parseRgb(interpolate(i / 255)) : [i, i, i], i * 3);
  return table;
}

function parseRgb(css: string): [number, number, number] {
  const rgb = /^rgb\((\d+), ?(\d+), ?(\d+)\)$/.exec(css);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  if (hex) return [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16), parseInt(hex[3]!, 16)];
  throw new Error(`unexpected colour '${css}' from a Vega colour scheme`);
}

/** Row-major RGBA pixels of `values` mapped through `table` over [low, high] (clamped). */
export function colorize(values: ArrayLike<number>, table: Uint8Array, [low, high]: readonly [number, number]): Uint8Array {
  const rgba = new Uint8Array(values.length * 4);
  const scale = 255 / (high - low);
  for (let p = 0; p < values.length; p++) {
    const index = Math.min(255, Math.max(0, Math.round(((values[p] as number) - low) * scale))) * 3;
    rgba[p * 4] = table[index]!;
    rgba[p * 4 + 1] = table[index + 1]!;
    rgba[p * 4 + 2] = table[index + 2]!;
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}
