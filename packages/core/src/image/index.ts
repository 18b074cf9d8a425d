export { imageGrid, rasterFromTensor, toByte, toRgba, type GridOptions, type RasterImage } from './image.js';
export { encodePng, writePng, type PngEncodeOptions } from './png.js';
