import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/**
 * A tiny VAR for 8×8 gray images (latent 4×4, scales 1, 2, 4): small enough to train a few steps in a test. Official
 * constructor names, as `--config` takes them.
 */
export const TOY_VAR_CONFIG = {
  vqvae: { vocab_size: 16, z_channels: 4, ch: 8, ch_mult: [1, 1], num_res_blocks: 1, in_channels: 1, num_groups: 4, using_sa: false, using_mid_sa: false, v_patch_nums: [1, 2, 4] },
  var: { num_classes: 4, depth: 1, embed_dim: 32, num_heads: 2, patch_nums: [1, 2, 4] },
};

/** Gray value (0–255) of pixel (x, y) of toy image `i` of class `c`: a bright quadrant at corner c on a dim ground. */
export function toyPixel(c: number, i: number, x: number, y: number, size: number): number {
  const inQuadrant = y < size / 2 === c < 2 && x < size / 2 === (c % 2 === 0);
  return inQuadrant ? 255 : (i * 7) % 40;
}

/**
 * Writes `root/class<c>/img<i>.png`: `perClass` gray PNGs for each of `classes` classes, `size`×`size` pixels
 * (or `sizeOf(i)`, to mix sizes).
 */
export function writeToyFolder(root: string, options: { classes?: number; perClass?: number; sizeOf?: (i: number) => number; rgb?: boolean } = {}): void {
  const classes = options.classes ?? 4;
  for (let c = 0; c < classes; c++) {
    mkdirSync(join(root, `class${c}`), { recursive: true });
    for (let i = 0; i < (options.perClass ?? 10); i++) {
      const size = options.sizeOf?.(i) ?? 8;
      const png = new PNG({ width: size, height: size });
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const v = toyPixel(c, i, x, y, size);
          png.data.set([v, options.rgb ? 255 - v : v, v, 255], (y * size + x) * 4);
        }
      }
      writeFileSync(join(root, `class${c}`, `img${i}.png`), PNG.sync.write(png, { colorType: options.rgb ? 2 : 0 }));
    }
  }
}
