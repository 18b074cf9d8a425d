import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The family every figure is set in: DejaVu Sans (matplotlib's default), shipped by the `dejavu-fonts-ttf` package. */
export const FIGURE_FONT_FAMILY = 'DejaVu Sans';

/**
 * The TrueType files of the bundled font, regular and bold (titles). resvg reads TTF/OTF, not WOFF, which is why
 * this package and not a `@fontsource` one.
 */
export function bundledFontFiles(): string[] {
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((file) => require.resolve(`dejavu-fonts-ttf/ttf/${file}`));
}
