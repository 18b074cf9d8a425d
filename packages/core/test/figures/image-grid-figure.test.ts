import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { imageGridFigure, type GridCell } from '../../src/figures/image-grid-figure.js';
import type { RasterImage } from '../../src/image/image.js';
import { tf } from '../../src/tf.js';
import { useBackend } from '../helpers/backends.js';
import { Pixels, svgSize } from './pixels.js';

const gray = (values: number[]): RasterImage => ({ data: Float32Array.from(values), height: 2, width: 3, channels: 1 });
const WHITE = [255, 255, 255];

/** Every pixel of `png`, compared with a white canvas on which `placed` pixels were set by hand (at `zoom`×). */
function expectExactly(png: Pixels, placed: Map<string, number[]>, zoom: number): void {
  const wrong: string[] = [];
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const expected = placed.get(`${Math.floor(x / zoom)},${Math.floor(y / zoom)}`) ?? WHITE;
      const got = png.rgb(x, y);
      if (got.some((v, c) => v !== expected[c])) wrong.push(`(${x},${y}) ${got} ≠ ${expected}`);
    }
  }
  expect(wrong.slice(0, 5)).toEqual([]);
}

describe('imageGridFigure', () => {
  beforeAll(() => useBackend('wasm'));

  // Three 2×3 images in 2 columns, 1 pixel apart, at 1×: with the 8-pixel figure padding the cells start at
  // (8, 8), (12, 8) and (8, 11); the figure is 8 + 3 + 1 + 3 + 8 = 23 wide and 8 + 2 + 1 + 2 + 8 = 21 tall.
  const images: RasterImage[] = [
    gray([0, 0.2, 0.4, 0.6, 0.8, 1]),
    { data: Uint8Array.from([10, 20, 30, 40, 50, 60]), height: 2, width: 3, channels: 1 },
    { data: Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0.5, 0.5, 0.5]), height: 2, width: 3, channels: 3 },
  ];
  const placed = new Map<string, number[]>([
    ['8,8', [0, 0, 0]], ['9,8', [51, 51, 51]], ['10,8', [102, 102, 102]],
    ['8,9', [153, 153, 153]], ['9,9', [204, 204, 204]], ['10,9', [255, 255, 255]],
    ['12,8', [10, 10, 10]], ['13,8', [20, 20, 20]], ['14,8', [30, 30, 30]],
    ['12,9', [40, 40, 40]], ['13,9', [50, 50, 50]], ['14,9', [60, 60, 60]],
    ['8,11', [255, 0, 0]], ['9,11', [0, 255, 0]], ['10,11', [0, 0, 255]],
    ['8,12', [255, 255, 0]], ['9,12', [0, 255, 255]], ['10,12', [128, 128, 128]],
  ]);

  it('places every pixel of every image exactly, at 1× and as 3×3 blocks at scale 3', async () => {
    const figure = imageGridFigure({ images, columns: 2, gap: 1, zoom: 1 });
    expect(figure.cells).toEqual([
      { x: 8, y: 8, width: 3, height: 2 },
      { x: 12, y: 8, width: 3, height: 2 },
      { x: 8, y: 11, width: 3, height: 2 },
    ]);
    expect(svgSize(await figure.toSvg())).toEqual({ width: 23, height: 21 });
    const one = new Pixels(await figure.toPng({ scale: 1 }));
    expect([one.width, one.height]).toEqual([23, 21]);
    expectExactly(one, placed, 1);
    const three = new Pixels(await figure.toPng({ scale: 3 }));
    expect([three.width, three.height]).toEqual([69, 63]);
    expectExactly(three, placed, 3);
  });

  it('zooms each image pixel into a block, and maps [-1, 1] images to black…white', async () => {
    const signed = { data: Float32Array.from([-1, 0, 1, 1, 0, -1]), height: 2, width: 3, channels: 1 as const };
    const figure = imageGridFigure({ images: [signed], valueRange: [-1, 1], zoom: 2 });
    const png = new Pixels(await figure.toPng({ scale: 1 }));
    expect([png.width, png.height]).toEqual([8 + 6 + 8, 8 + 4 + 8]);
    const byte = [0, 128, 255, 255, 128, 0];
    const expected = new Map<string, number[]>();
    for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) expected.set(`${8 + x},${8 + y}`, Array(3).fill(byte[Math.floor(y / 2) * 3 + Math.floor(x / 2)]));
    expectExactly(png, expected, 1);
  });

  it('reads an [N, H, W, C] tensor as N images', async () => {
    const batch = tf.tensor4d([0, 0.2, 0.4, 0.6, 0.8, 1, 0, 0, 0, 0, 0, 0], [2, 2, 3, 1]);
    const figure = imageGridFigure({ images: batch, columns: 2, gap: 1, zoom: 1 });
    batch.dispose();
    const png = new Pixels(await figure.toPng({ scale: 1 }));
    expect(png.rgb(9, 8)).toEqual([51, 51, 51]);
    expect(png.rgb(13, 9)).toEqual([0, 0, 0]);
  });

  it('makes room for a title, captions and row labels, and the images stay exact where `cells` says', async () => {
    const labelled = imageGridFigure({ images, columns: 2, gap: 1, zoom: 1, title: 'Samples', titles: ['a', 'b', 'c'], rowLabels: ['one', 'two'] });
    // title 14 + 6 px, captions 11 + 4 px above each row, row labels 0.8 em per character + 12 px to the left
    const left = 8 + Math.ceil(0.8 * 3 * 11) + 12;
    expect(labelled.cells.map(({ x, y }) => [x, y])).toEqual([[left, 8 + 20 + 15], [left + 4, 8 + 20 + 15], [left, 8 + 20 + 15 + 2 + 1 + 15]]);
    const png = new Pixels(await labelled.toPng({ scale: 1 }));
    const [first, second, third] = [0, 1, 2].map((i) => labelled.cells[i]!) as [GridCell, GridCell, GridCell];
    expect([png.rgb(first.x, first.y), png.rgb(first.x + 1, first.y), png.rgb(first.x + 2, first.y + 1)]).toEqual([[0, 0, 0], [51, 51, 51], [255, 255, 255]]);
    expect(png.rgb(second.x + 2, second.y + 1)).toEqual([60, 60, 60]);
    expect(png.rgb(third.x + 2, third.y)).toEqual([0, 0, 255]);
    expect(png.inkIn(0, 0, png.width, 8 + 14)).toBeGreaterThan(30); // the title
    expect(png.inkIn(0, first.y, first.x - 2, first.y + 2)).toBeGreaterThan(0); // 'one' beside row 0
  });

  it('lays out n images in ⌈n / columns⌉ rows, and checks captions and row labels against them', () => {
    const five = Array.from({ length: 5 }, () => gray([0, 0, 0, 0, 0, 0]));
    const grid = imageGridFigure({ images: five, columns: 2, gap: 1, zoom: 1 });
    expect(grid.cells.map(({ x, y }) => [x, y])).toEqual([[8, 8], [12, 8], [8, 11], [12, 11], [8, 14]]);
    expect(imageGridFigure({ images: five, gap: 0, zoom: 1 }).cells.map(({ x }) => x)).toEqual([8, 11, 14, 8, 11]); // ⌈√5⌉ = 3 per row
    expect(() => imageGridFigure({ images: five, columns: 2, rowLabels: ['a', 'b'] })).toThrow(/2 row labels for 3 rows \(5 images, 2 per row\)/);
    expect(() => imageGridFigure({ images: five, titles: ['a'] })).toThrow(/1 titles for 5 images/);
    expect(() => imageGridFigure({ images: [] })).toThrow(InputError);
    expect(() => imageGridFigure({ images: [gray([0, 0, 0, 0, 0, 0]), { data: new Float32Array(4), height: 2, width: 2, channels: 1 }] })).toThrow(/image 1 is 2×2, image 0 is 2×3/);
    expect(() => imageGridFigure({ images: [gray([0, 0, NaN, 0, 0, 0])] })).toThrow(/image 0 has NaN at value 2/);
    expect(() => imageGridFigure({ images: [{ data: new Float32Array(5), height: 2, width: 3, channels: 1 }] })).toThrow(/has 5 values; 2×3×1 needs 6/);
  });
});
