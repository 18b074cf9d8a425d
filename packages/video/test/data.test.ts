import { describe, expect, it } from 'vitest';
import { MovingObjects, MovingObjectsSequence } from '../src/data/moving-objects.js';
import { bounce } from '../src/geometry/bounce.js';
import { boxResize, hasFashionMnist, shapeSprites } from '../src/data/sprites.js';
import { Rng } from '@nextx/core';

describe('moving objects', () => {
  it('bounce folds a coordinate between the walls like a reflected ball', () => {
    expect([0, 3, 10, 13, 20, 27, -4].map((x) => bounce(x, 10))).toEqual([0, 3, 10, 7, 0, 7, 4]);
  });

  it('sequences are pure functions of (split, seed, index); held-out ones differ from training ones', () => {
    const data = new MovingObjects({ sprites: 'shapes', size: 24, spriteSize: 8 });
    const a = data.sequence('train', 5, 1).frames(10, 3);
    expect(Array.from(data.sequence('train', 5, 1).frames(10, 3))).toEqual(Array.from(a));
    expect(Array.from(new MovingObjects({ sprites: 'shapes', size: 24, spriteSize: 8 }).sequence('train', 5, 1).frames(10, 3))).toEqual(Array.from(a));
    expect(Array.from(data.sequence('heldout', 5, 1).frames(10, 3))).not.toEqual(Array.from(a));
    expect(Array.from(data.sequence('train', 6, 1).frames(10, 3))).not.toEqual(Array.from(a));
    expect(a.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('objects move at constant speed between bounces and frame t can be drawn without the frames before it', () => {
    const data = new MovingObjects({ sprites: 'shapes', objects: 2, size: 32, spriteSize: 8, speed: [1, 1] });
    const sequence = data.sequence('train', 0);
    const steps = [0, 1, 2].map((t) => sequence.positions(t));
    for (let o = 0; o < 2; o++) {
      const d1 = Math.hypot(steps[1]![o]![0] - steps[0]![o]![0], steps[1]![o]![1] - steps[0]![o]![1]);
      expect(d1).toBeLessThanOrEqual(1 + 1e-9);
    }
    // Frame 1000 is the same whether or not frames 0…999 were drawn.
    const direct = sequence.frame(1000);
    sequence.frames(0, 20);
    expect(Array.from(sequence.frame(1000))).toEqual(Array.from(direct));
    const [x, y] = sequence.positions(1000)[0] as [number, number];
    expect(x >= 0 && x <= 24 && y >= 0 && y <= 24).toBe(true);
  });

  it('a later object occludes an earlier one', () => {
    const config = new MovingObjects({ sprites: 'shapes', size: 8, spriteSize: 4 }).config;
    const square = (value: number) => ({ size: 4, pixels: new Float32Array(16).fill(value), label: 0 });
    const back = { sprite: square(1), x0: 1, y0: 1, vx: 0, vy: 0 };
    const front = { sprite: square(0.5), x0: 3, y0: 3, vx: 0, vy: 0 };
    const frame = new MovingObjectsSequence(config, [back, front]).frame(0);
    expect(frame[1 * 8 + 1]).toBe(1); // only the back square
    expect(frame[3 * 8 + 3]).toBe(0.5); // both: the front one (opaque at 0.5) hides the back one
    expect(frame[6 * 8 + 6]).toBe(0.5); // only the front square
    expect(frame[0]).toBe(0);
  });

  it('box resizing keeps the mean and shape sprites are anti-aliased masks', () => {
    const pixels = Float32Array.from({ length: 28 * 28 }, (_, i) => ((i * 7919) % 97) / 96);
    const small = boxResize(pixels, 28, 16);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(small)).toBeCloseTo(mean(pixels), 5);
    const sprite = shapeSprites(12).draw(Rng.seeded(1));
    expect(sprite.pixels.some((v) => v > 0 && v < sprite.pixels.reduce((m, x) => Math.max(m, x), 0))).toBe(true);
  });

  it('uses Fashion-MNIST when installed and procedural shapes otherwise', () => {
    const kind = new MovingObjects({ fashionMnistDir: '/nonexistent' }).spriteKind;
    expect(kind).toBe('shapes');
    expect(() => new MovingObjects({ sprites: 'fashion-mnist', fashionMnistDir: '/nonexistent' }).sequence('train', 0)).toThrow(/dataset-fashion-mnist/);
    expect(typeof hasFashionMnist()).toBe('boolean');
    expect(() => new MovingObjects({ size: 16, spriteSize: 16 })).toThrow(/spriteSize/);
  });
});
