import { FIGURE_FONT_FAMILY } from './fonts.js';

/** Pixels of white around every figure (Vega's `padding`). */
export const FIGURE_PADDING = 8;

/** Series colours, in order (Tableau 10, Vega-Lite's default categorical scheme). */
export const SERIES_COLORS = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'] as const;

export const TITLE_FONT_SIZE = 14;
export const TITLE_OFFSET = 6;
export const LABEL_FONT_SIZE = 11;

/** The Vega-Lite config every figure is rendered with: the bundled font, white background, no view border. */
export const FIGURE_CONFIG = {
  // A viewer of the SVG without DejaVu Sans falls back to its own sans-serif face.
  font: `${FIGURE_FONT_FAMILY}, sans-serif`,
  background: 'white',
  padding: FIGURE_PADDING,
  // No ARIA labels: they repeat every datum in the SVG (an image grid's data URLs twice).
  aria: false,
  view: { stroke: null },
  title: { fontSize: TITLE_FONT_SIZE, fontWeight: 'bold', anchor: 'start', offset: TITLE_OFFSET },
  axis: { labelFontSize: LABEL_FONT_SIZE, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e8e8e8', domainColor: '#555', tickColor: '#555' },
  legend: { labelFontSize: LABEL_FONT_SIZE, titleFontSize: LABEL_FONT_SIZE, titleFontWeight: 'normal' },
  concat: { spacing: 24 },
} as const;
