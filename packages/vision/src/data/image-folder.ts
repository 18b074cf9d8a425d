import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { PNG } from 'pngjs';
import { CheckpointError, InputError } from '@nextx/core';

/** One decoded image: float pixels in [-1, 1], HWC row-major, `channels` 1 (gray) or 3 (RGB). */
export interface FolderImage {
  readonly file: string;
  readonly label: number;
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  readonly pixels: Float32Array;
}

export interface ImageFolder {
  /** Class names in label order: the sorted sub-folder names, or [''] when the images lie directly in the root. */
  readonly classes: readonly string[];
  readonly files: ReadonlyArray<{ readonly file: string; readonly label: number }>;
}

/**
 * Lists the PNG files of a folder, torchvision ImageFolder style: `root/<class>/*.png` gives one class per
 * sub-folder (sorted by name); PNGs directly in `root` form a single class 0.
 */
export function listImageFolder(root: string): ImageFolder {
  const pngs = walk(root).filter((f) => f.toLowerCase().endsWith('.png')).sort();
  if (!pngs.length) throw new InputError(`no .png files under ${root}`);
  const classOf = (file: string) => {
    const rel = relative(root, dirname(file));
    return rel === '' ? '' : (rel.split(sep)[0] as string);
  };
  const classes = [...new Set(pngs.map(classOf))].sort();
  return { classes, files: pngs.map((file) => ({ file, label: classes.indexOf(classOf(file)) })) };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/**
 * Decodes a PNG (any bit depth / colour type pngjs reads) to [-1, 1] floats with `channels` channels: RGB is
 * converted to gray by the ITU-R 601 luma weights (as PIL's convert('L')); alpha is composited onto black.
 */
export function readPngImage(file: string, channels: 1 | 3, label = 0): FolderImage {
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(file));
  } catch (error) {
    throw new CheckpointError(file, `not a readable PNG: ${(error as Error).message}`, undefined, { cause: error });
  }
  const { width, height, data } = png;
  const pixels = new Float32Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    const a = (data[4 * p + 3] as number) / 255;
    const r = ((data[4 * p] as number) / 255) * a;
    const g = ((data[4 * p + 1] as number) / 255) * a;
    const b = ((data[4 * p + 2] as number) / 255) * a;
    if (channels === 1) {
      pixels[p] = (0.299 * r + 0.587 * g + 0.114 * b) * 2 - 1;
    } else {
      pixels[3 * p] = r * 2 - 1;
      pixels[3 * p + 1] = g * 2 - 1;
      pixels[3 * p + 2] = b * 2 - 1;
    }
  }
  return { file, label, height, width, channels, pixels };
}
