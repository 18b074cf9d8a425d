import { existsSync, readFileSync } from 'node:fs';
import * as nifti from 'nifti-reader-js';
import { CheckpointError, InputError } from '@nextx/core';

/** A 3-D scalar volume: voxel (x, y, z) at data[x + nx·(y + ny·z)] (NIfTI order, x fastest). */
export interface ScalarVolume {
  readonly data: Float32Array;
  /** [nx, ny, nz] */
  readonly dims: readonly [number, number, number];
  /** Voxel size in mm [dx, dy, dz]. */
  readonly voxelSize: readonly [number, number, number];
  readonly description: string;
}

/** Debian mricron-data's templates: Colin27 T1 (ch2better is brain-extracted, 0.5 mm). */
export const MRICRON_TEMPLATES = '/usr/share/mricron/templates';
export const COLIN27_T1 = `${MRICRON_TEMPLATES}/ch2better.nii.gz`;

const READERS: Record<number, (view: DataView, offset: number, little: boolean) => number> = {
  [nifti.NIFTI1.TYPE_UINT8]: (v, o) => v.getUint8(o),
  [nifti.NIFTI1.TYPE_INT8]: (v, o) => v.getInt8(o),
  [nifti.NIFTI1.TYPE_INT16]: (v, o, le) => v.getInt16(o, le),
  [nifti.NIFTI1.TYPE_UINT16]: (v, o, le) => v.getUint16(o, le),
  [nifti.NIFTI1.TYPE_INT32]: (v, o, le) => v.getInt32(o, le),
  [nifti.NIFTI1.TYPE_UINT32]: (v, o, le) => v.getUint32(o, le),
  [nifti.NIFTI1.TYPE_FLOAT32]: (v, o, le) => v.getFloat32(o, le),
  [nifti.NIFTI1.TYPE_FLOAT64]: (v, o, le) => v.getFloat64(o, le),
};

/**
 * Reads a NIfTI-1/2 file (.nii or .nii.gz) through nifti-reader-js: the first 3-D volume, with scl_slope/scl_inter
 * applied. A missing file, a file that is not NIfTI, a truncated image or an unsupported voxel type is an error that
 * names the file.
 */
export function readNiftiVolume(path: string): ScalarVolume {
  if (!existsSync(path)) throw new InputError(`NIfTI file not found: ${path}`);
  const bytes = readFileSync(path);
  let buffer: ArrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  if (nifti.isCompressed(buffer)) {
    try {
      buffer = nifti.decompress(buffer) as ArrayBuffer;
    } catch (error) {
      throw new CheckpointError(path, `gzip data cannot be decompressed (${(error as Error).message})`, undefined, { cause: error });
    }
  }
  if (!nifti.isNIFTI(buffer)) throw new CheckpointError(path, 'not a NIfTI-1 or NIfTI-2 file (no n+1/ni1/n+2 magic)');
  const header = nifti.readHeader(buffer);
  const [rank, nx = 1, ny = 1, nz = 1] = header.dims as number[];
  if (!rank || rank < 2 || nx < 1 || ny < 1 || nz < 1) throw new CheckpointError(path, `dims [${header.dims.join(', ')}] do not describe an image volume`);
  const read = READERS[header.datatypeCode];
  if (!read) throw new CheckpointError(path, `voxel type ${header.datatypeCode} is not supported (integer and float scalars are)`);
  const bytesPer = header.numBitsPerVoxel / 8;
  const count = nx * ny * nz;
  const image = nifti.readImage(header, buffer);
  if (image.byteLength < count * bytesPer) {
    throw new CheckpointError(path, `image data has ${image.byteLength} bytes; ${nx}×${ny}×${nz} voxels of ${bytesPer} bytes need ${count * bytesPer}`, header.vox_offset);
  }
  const view = new DataView(image);
  const slope = header.scl_slope && Number.isFinite(header.scl_slope) ? header.scl_slope : 1;
  const inter = Number.isFinite(header.scl_inter) ? header.scl_inter : 0;
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = read(view, i * bytesPer, header.littleEndian) * slope + inter;
  const [, dx = 1, dy = 1, dz = 1] = header.pixDims as number[];
  return { data, dims: [nx, ny, nz], voxelSize: [dx, dy, dz], description: header.description ?? '' };
}

/**
 * The axial slice z as an image [ny, nx] in display orientation: row 0 is the most anterior row (largest y), column j
 * is x = j. For RAS-stored volumes such as Colin27 the nose points up.
 */
export function axialSlice(volume: ScalarVolume, z: number): Float32Array {
  const [nx, ny, nz] = volume.dims;
  if (!Number.isInteger(z) || z < 0 || z >= nz) throw new InputError(`axial slice ${z} is outside the volume's 0…${nz - 1}`);
  const out = new Float32Array(nx * ny);
  for (let i = 0; i < ny; i++) {
    const y = ny - 1 - i;
    out.set(volume.data.subarray(nx * (y + ny * z), nx * (y + ny * z) + nx), i * nx);
  }
  return out;
}
