import { z } from 'zod';
import { InputError, Rng, parseConfig } from '@nextx/core';
import { spriteSource, type Sprite, type SpriteKind, type SpriteSource } from './sprites.js';
import { bounce } from '../geometry/bounce.js';

export const movingObjectsSchema = z
  .object({
    /** Canvas side in pixels (frames are size × size, one channel in [0, 1]). */
    size: z.number().int().min(8).default(32),
    /** Objects per sequence, drawn back to front (later ones occlude earlier ones). */
    objects: z.number().int().min(1).max(8).default(2),
    /** Sprite side in pixels (Fashion-MNIST's 28 × 28 items are area-resized to it). */
    spriteSize: z.number().int().min(2).default(16),
    /** Speed range in pixels per frame (direction uniform). */
    speed: z.tuple([z.number().nonnegative(), z.number().nonnegative()]).default([0.75, 2]),
    sprites: z.enum(['auto', 'fashion-mnist', 'shapes']).default('auto'),
    /** Directory of the Fashion-MNIST IDX files (default: Debian's). */
    fashionMnistDir: z.string().optional(),
  })
  .strict()
  .refine((c) => c.spriteSize < c.size, { message: 'spriteSize must be smaller than size', path: ['spriteSize'] })
  .refine((c) => c.speed[0] <= c.speed[1], { message: 'speed must be [min, max] with min ≤ max', path: ['speed'] });
export type MovingObjectsConfig = z.infer<typeof movingObjectsSchema>;
export type MovingObjectsInput = z.input<typeof movingObjectsSchema>;

/** Training sequences, or held-out ones: other motion seeds and, with Fashion-MNIST, the t10k items. */
export type Split = 'train' | 'heldout';

interface MovingObject {
  readonly sprite: Sprite;
  readonly x0: number;
  readonly y0: number;
  readonly vx: number;
  readonly vy: number;
}

/** One seeded sequence: objects moving at constant speed and bouncing off the walls; any frame in O(pixels). */
export class MovingObjectsSequence {
  constructor(
    readonly config: MovingObjectsConfig,
    private readonly objects: readonly MovingObject[],
  ) {}

  /** Labels of the objects (Fashion-MNIST classes or shape indices), back to front. */
  get labels(): number[] {
    return this.objects.map((o) => o.sprite.label);
  }

  /** The objects' sprites, back to front. */
  get sprites(): Sprite[] {
    return this.objects.map((o) => o.sprite);
  }

  /** Top-left corner of each object at frame t (fractional pixels). */
  positions(t: number): [number, number][] {
    const range = this.config.size - this.config.spriteSize;
    return this.objects.map((o) => [bounce(o.x0 + o.vx * t, range), bounce(o.y0 + o.vy * t, range)]);
  }

  /** Frame t as size × size intensities in [0, 1]: each object's sprite placed bilinearly, composited back to front. */
  frame(t: number, out: Float32Array = new Float32Array(this.config.size ** 2)): Float32Array {
    out.fill(0);
    const n = this.config.size;
    this.positions(t).forEach(([x, y], i) => drawSprite(out, n, (this.objects[i] as MovingObject).sprite, x, y));
    return out;
  }

  /** Frames start … start + count − 1, concatenated ([count, size, size]). */
  frames(start: number, count: number): Float32Array {
    const plane = this.config.size ** 2;
    const out = new Float32Array(count * plane);
    for (let i = 0; i < count; i++) this.frame(start + i, out.subarray(i * plane, (i + 1) * plane));
    return out;
  }
}

/**
 * Composites a sprite at fractional position (x, y): each covered pixel takes the sprite's bilinear sample s and its
 * opacity α = min(1, 2s), so an item's body hides what lies behind it while its faint edges blend.
 */
function drawSprite(canvas: Float32Array, n: number, sprite: Sprite, x: number, y: number): void {
  const s = sprite.size;
  const at = (r: number, c: number) => (r >= 0 && c >= 0 && r < s && c < s ? (sprite.pixels[r * s + c] as number) : 0);
  for (let r = Math.max(0, Math.floor(y)); r < Math.min(n, Math.ceil(y + s)); r++) {
    const v = r - y;
    const r0 = Math.floor(v);
    const fy = v - r0;
    for (let c = Math.max(0, Math.floor(x)); c < Math.min(n, Math.ceil(x + s)); c++) {
      const u = c - x;
      const c0 = Math.floor(u);
      const fx = u - c0;
      const value =
        at(r0, c0) * (1 - fy) * (1 - fx) + at(r0, c0 + 1) * (1 - fy) * fx + at(r0 + 1, c0) * fy * (1 - fx) + at(r0 + 1, c0 + 1) * fy * fx;
      if (value <= 0) continue;
      const alpha = Math.min(1, 2 * value);
      const i = r * n + c;
      canvas[i] = (canvas[i] as number) * (1 - alpha) + value * alpha;
    }
  }
}

/** Seeds of a split: sequence i of (split, seed) gets its own stream; held-out streams never meet training ones. */
function sequenceRng(split: Split, seed: number, index: number): Rng {
  const tag = split === 'train' ? 0x51ed2701 : 0x2a64c3b5;
  let h = (tag ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (index >>> 0), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return Rng.seeded((h ^ (h >>> 16)) >>> 0);
}

/**
 * "Moving Fashion-MNIST": seeded sequences of Fashion-MNIST items (Debian's dataset-fashion-mnist) — or procedural
 * shapes when it is absent — moving, bouncing off the walls and occluding each other on a canvas, in the manner of
 * Moving MNIST (Srivastava et al. 2015). Sequence i of a split is a pure function of (config, split, seed, i).
 */
export class MovingObjects {
  readonly config: MovingObjectsConfig;
  private readonly sprites: Partial<Record<Split, SpriteSource>> = {};

  constructor(config: MovingObjectsInput = {}) {
    this.config = parseConfig(movingObjectsSchema, config, 'moving-objects config');
  }

  /** What the sprites are here: Fashion-MNIST items or procedural shapes. */
  get spriteKind(): 'fashion-mnist' | 'shapes' {
    return this.source('train').kind;
  }

  sequence(split: Split, index: number, seed = 0): MovingObjectsSequence {
    if (!Number.isInteger(index) || index < 0) throw new InputError(`sequence index must be a non-negative integer; got ${index}`);
    const rng = sequenceRng(split, seed, index);
    const { size, spriteSize, speed } = this.config;
    const source = this.source(split);
    const objects = Array.from({ length: this.config.objects }, () => {
      const sprite = source.draw(rng);
      const angle = 2 * Math.PI * rng.uniform();
      const v = speed[0] + (speed[1] - speed[0]) * rng.uniform();
      return { sprite, x0: rng.uniform() * (size - spriteSize), y0: rng.uniform() * (size - spriteSize), vx: v * Math.cos(angle), vy: v * Math.sin(angle) };
    });
    return new MovingObjectsSequence(this.config, objects);
  }

  private source(split: Split): SpriteSource {
    const kind: SpriteKind = this.config.sprites;
    this.sprites[split] ??= spriteSource(kind, split === 'train' ? 'train' : 't10k', this.config.spriteSize, this.config.fashionMnistDir);
    return this.sprites[split] as SpriteSource;
  }
}
