import { PNG } from 'pngjs';

/** A decoded PNG with pixel access, for checking what a figure drew where. */
export class Pixels {
  readonly width: number;
  readonly height: number;
  private readonly data: Buffer;

  constructor(png: Uint8Array) {
    const decoded = PNG.sync.read(Buffer.from(png));
    this.width = decoded.width;
    this.height = decoded.height;
    this.data = decoded.data;
  }

  rgb(x: number, y: number): [number, number, number] {
    const at = (y * this.width + x) * 4;
    return [this.data[at]!, this.data[at + 1]!, this.data[at + 2]!];
  }

  /** Ink: a pixel clearly darker than the light grey of grid lines (#e8e8e8). */
  isInk(x: number, y: number): boolean {
    return Math.min(...this.rgb(x, y)) < 200;
  }

  /** Inked pixels in the rectangle [x0, x1) × [y0, y1). */
  inkIn(x0: number, y0: number, x1: number, y1: number): number {
    let count = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (this.isInk(x, y)) count++;
    return count;
  }
}

/** Where Vega put the plot area: the translation of its root group, the first `translate(x,y)` of the SVG. */
export function plotOrigin(svg: string): { x: number; y: number } {
  const match = /transform="translate\(([\d.]+),([\d.]+)\)"/.exec(svg);
  if (!match) throw new Error('no translate() in the SVG');
  return { x: Number(match[1]), y: Number(match[2]) };
}

/** How many elements the mark group of class `mark-<type>` holds, summed over all such groups. */
export function marksOf(svg: string, type: string, element: string): number {
  const groups = svg.split(`class="mark-${type} role-mark`).slice(1);
  return groups.reduce((sum, group) => sum + (group.split('</g>')[0]!.match(new RegExp(`<${element}[ >]`, 'g'))?.length ?? 0), 0);
}

/** The size an SVG document declares. */
export function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg);
  if (!match) throw new Error('no width/height on the SVG');
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** The texts of the SVG's elements in groups of role `role` (e.g. 'axis-title', 'legend-label', 'title-text'). */
export function textsOf(svg: string, role: string): string[] {
  return svg
    .split(`role-${role}"`)
    .slice(1)
    .flatMap((group) => [...group.split('</g>')[0]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!));
}
