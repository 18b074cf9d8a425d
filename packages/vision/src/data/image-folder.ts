import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { PNG } from 'pngjs';
import { CheckpointError, InputError, throwIfAborted, type ProgressListener } from '@nextx/core';
import { fitImage } from './fit-image.js';

/** One decoded image: float pixels in [-1, 1], HWC row-major, `channels` 1 (gray) or 3 (RGB). */
export interface FolderImage {
  readonly file: string;
  readonly label: number;
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  readonly pixels: Float32Array;
  /** False when the PNG itself is grayscale (colour type 0 or 4). */
  readonly color: boolean;
}

export interface ImageFolder {
  /** Class names in label order: the sorted sub-folder names, or [''] when the images lie directly in the root. */
  readonly classes: readonly string[];
  readonly files: ReadonlyArray<{ readonly file: string; readonly label: number }>;
}

/**
 * Lists the PNG files of a folder, torchvision ImageFolder style: `root/<class>/**.png` gives one class per
 * sub-folder (sorted by name; PNGs deeper inside belong to it); PNGs directly in `root` form a single class 0.
 */
export function listImageFolder(root: string): ImageFolder {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new InputError(`image folder ${root} not found`);
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
  return { file, label, height, width, channels, pixels, color: (png as unknown as { color?: boolean }).color !== false };
}

/** A folder's images decoded and fitted to one size, in memory: NHWC pixels in [−1, 1] and labels. */
export interface LoadedImageFolder {
  readonly classes: readonly string[];
  readonly files: readonly string[];
  readonly size: number;
  readonly channels: 1 | 3;
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
}

export interface LoadImageFolderOptions {
  /** Side of the square the images are fitted to (fitImage: centre square, shrunk by area or padded). */
  readonly size: number;
  /** 1 (gray) or 3 (RGB); by default 1 when every PNG is grayscale, else 3. */
  readonly channels?: 1 | 3;
  /** Which of the listed files to load, in this order (default all). */
  readonly indices?: readonly number[];
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

/** Images decoded between two yields to the event loop (so Ctrl-C is answered while a large folder loads). */
const LOAD_CHUNK = 256;

/** Decodes the PNGs of a folder (listImageFolder's layout) into one array, reporting progress as stage 'load'. */
export async function loadImageFolder(root: string, options: LoadImageFolderOptions): Promise<LoadedImageFolder> {
  const listing = listImageFolder(root);
  const picks = options.indices ?? listing.files.map((_, i) => i);
  const { size } = options;
  const decoded: FolderImage[] = [];
  for (let start = 0; start < picks.length; start += LOAD_CHUNK) {
    await new Promise((resolve) => setImmediate(resolve));
    throwIfAborted(options.signal);
    for (const i of picks.slice(start, start + LOAD_CHUNK)) {
      const entry = listing.files[i];
      if (!entry) throw new InputError(`image index ${i} outside 0..${listing.files.length - 1}`);
      decoded.push(readPngImage(entry.file, options.channels ?? 3, entry.label));
    }
    options.onProgress?.({ stage: 'load', completed: decoded.length, total: picks.length });
  }
  const channels = options.channels ?? (decoded.every((image) => !image.color) ? 1 : 3);
  const plane = size * size * channels;
  const pixels = new Float32Array(decoded.length * plane);
  decoded.forEach((image, n) => {
    const fitted = fitImage(channels === image.channels ? image : firstChannel(image), size);
    pixels.set(fitted, n * plane);
  });
  return {
    classes: listing.classes,
    files: decoded.map((image) => image.file),
    size,
    channels,
    pixels,
    labels: Int32Array.from(decoded, (image) => image.label),
  };
}

/** A grayscale PNG decoded to RGB has equal channels: keep one. */
function firstChannel(image: FolderImage): FolderImage {
  const pixels = new Float32Array(image.height * image.width);
  for (let p = 0; p < pixels.length; p++) pixels[p] = image.pixels[3 * p] as number;
  return { ...image, channels: 1, pixels };
}
