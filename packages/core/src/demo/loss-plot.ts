import type { RasterImage } from '../image/image.js';

type Rgb = readonly [number, number, number];

const AXIS: Rgb = [40, 40, 40];
const GRID: Rgb = [225, 225, 225];
const RAW: Rgb = [160, 190, 230];
const SMOOTH: Rgb = [20, 70, 170];

/** 3×5 pixel glyphs for axis labels, rows top to bottom. */
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  '0': ['111', '101', '101', '101', '111'],
  '1': ['010', '110', '010', '010', '111'],
  '2': ['111', '001', '111', '100', '111'],
  '3': ['111', '001', '111', '001', '111'],
  '4': ['101', '101', '111', '001', '001'],
  '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'],
  '7': ['111', '001', '001', '001', '001'],
  '8': ['111', '101', '111', '101', '111'],
  '9': ['111', '101', '111', '001', '111'],
  '.': ['000', '000', '000', '000', '010'],
};

class Canvas {
  readonly data: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3).fill(255);
  }

  set(x: number, y: number, color: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    this.data.set(color, (yi * this.width + xi) * 3);
  }

  /** A line of the given thickness by sampling it at sub-pixel steps. */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1): void {
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 2));
    const r = (thickness - 1) / 2;
    for (let i = 0; i <= steps; i++) {
      const x = x0 + ((x1 - x0) * i) / steps;
      const y = y0 + ((y1 - y0) * i) / steps;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) this.set(x + dx, y + dy, color);
    }
  }

  /** Text of digits and dots, `scale` pixels per glyph pixel, right-aligned at x when `alignRight`. */
  text(label: string, x: number, y: number, scale: number, alignRight = false): void {
    const advance = 4 * scale;
    let left = alignRight ? x - label.length * advance : x;
    for (const ch of label) {
      (GLYPHS[ch] ?? []).forEach((row, gy) => {
        [...row].forEach((bit, gx) => {
          if (bit !== '1') return;
          for (let sy = 0; sy < scale; sy++) for (let sx = 0; sx < scale; sx++) this.set(left + gx * scale + sx, y + gy * scale + sy, AXIS);
        });
      });
      left += advance;
    }
  }
}

/** Exponential smoothing with bias correction (as TensorBoard's smoothing slider). */
export function smooth(values: readonly number[], weight = 0.9): number[] {
  let average = 0;
  return values.map((v, i) => {
    average = weight * average + (1 - weight) * v;
    return average / (1 - weight ** (i + 1));
  });
}

export interface LossPlotOptions {
  readonly width?: number;
  readonly height?: number;
}

/**
 * A loss curve as an RGB image: the raw losses in light blue, their smoothed curve in dark blue, horizontal grid
 * lines labelled with the loss, and the step count at the right end of the x axis.
 */
export function renderLossPlot(losses: readonly number[], options: LossPlotOptions = {}): RasterImage {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const canvas = new Canvas(width, height);
  const margin = { left: 56, right: 16, top: 16, bottom: 32 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const finite = losses.filter(Number.isFinite);
  const low = finite.length ? Math.min(...finite) : 0;
  const high = finite.length ? Math.max(...finite) : 1;
  const span = high - low || 1;
  const x = (i: number) => margin.left + (losses.length > 1 ? (i / (losses.length - 1)) * plotW : plotW / 2);
  const y = (v: number) => margin.top + (1 - (v - low) / span) * plotH;
  for (let k = 0; k <= 4; k++) {
    const value = low + (span * k) / 4;
    canvas.line(margin.left, y(value), margin.left + plotW, y(value), GRID);
    canvas.text(value.toFixed(2), margin.left - 6, y(value) - 5, 2, true);
  }
  const curve = (values: readonly number[], color: Rgb, thickness: number) => {
    for (let i = 1; i < values.length; i++) {
      const a = values[i - 1] as number;
      const b = values[i] as number;
      if (Number.isFinite(a) && Number.isFinite(b)) canvas.line(x(i - 1), y(a), x(i), y(b), color, thickness);
    }
  };
  curve(losses, RAW, 1);
  curve(smooth(losses), SMOOTH, 2);
  canvas.line(margin.left, margin.top, margin.left, margin.top + plotH, AXIS);
  canvas.line(margin.left, margin.top + plotH, margin.left + plotW, margin.top + plotH, AXIS);
  canvas.text('0', margin.left, margin.top + plotH + 8, 2);
  canvas.text(String(losses.length), margin.left + plotW, margin.top + plotH + 8, 2, true);
  return { data: canvas.data, height, width, channels: 3 };
}
