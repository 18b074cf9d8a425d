export { COLIN27_T1, MRICRON_TEMPLATES, axialSlice, readNiftiVolume, type ScalarVolume } from './nifti-volume.js';
export { centerCrop, cropOrPad, resampleArea, type RealImage } from './resample.js';
export { brainSlicesOf, brainSlicesSchema, readBrainSlices, type BrainSlices, type BrainSlicesOptions } from './brain-slices.js';
export { regionSplitSchema, splitByRegion, type RegionSplit, type SliceSplit } from './splits.js';
export { MODIFIED_SHEPP_LOGAN, ellipsePhantom, randomEllipsePhantom, sheppLogan, type Ellipse } from './phantoms.js';
export { acquisitionSchema, simulateAcquisition, smoothPhase, type Acquisition, type AcquisitionOptions } from './simulate-acquisition.js';
export { readFastmriSlice, writeFastmriFile, type FastmriSlice, type FastmriTargetKey, type FastmriVolume } from './fastmri-h5.js';
export { cflToKspace, kspaceCflDims, readCfl, writeCfl, type CflArray } from './bart-cfl.js';
