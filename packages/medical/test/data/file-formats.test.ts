import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, CheckpointError, InputError } from '@nextx/core';
import { cflToKspace, kspaceCflDims, kspaceToImage, readCfl, readFastmriSlice, readNiftiVolume, toComplexTensor, writeCfl, writeFastmriFile } from '../../src/index.js';
import { useBackend } from '../helpers/backends.js';
import { relativeError } from '../helpers/reference-dft.js';

const fixtures = new URL('../fixtures/file-formats/', import.meta.url);
const fixture = (name: string) => new URL(name, fixtures).pathname;
const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as Record<string, Record<string, number[]>>;
let dir: string;

beforeAll(async () => {
  await useBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'nextx-medical-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fastMRI HDF5', () => {
  it('reads a file h5py wrote in the fastMRI layout (kspace, reconstruction_rss, attributes)', async () => {
    const s = await readFastmriSlice(fixture('fastmri-multicoil.h5'), { slice: 1 });
    const ref = expected['fastmri-multicoil.h5']!;
    const n = 3 * 8 * 10;
    expect(s.kspace.shape).toEqual([3, 8, 10]);
    expect(s.multicoil).toBe(true);
    expect(Array.from(s.kspace.re)).toEqual(ref['kspace_re']!.slice(n, 2 * n).map(Math.fround));
    expect(Array.from(s.kspace.im)).toEqual(ref['kspace_im']!.slice(n, 2 * n).map(Math.fround));
    expect(s.targetKey).toBe('reconstruction_rss');
    expect(Array.from(s.target!.data)).toEqual(ref['rss']!.slice(64, 128).map(Math.fround));
    expect(s.attributes).toMatchObject({ acquisition: 'AXT1POST', max: 0.5, patient_id: 'synthetic' });
  });

  it('writes a file it reads back exactly (multi-coil with mask; single-coil with reconstruction_esc)', async () => {
    const [S, C, H, W] = [2, 2, 4, 6];
    const n = S * C * H * W;
    const re = Float32Array.from({ length: n }, (_, i) => i / 7);
    const im = Float32Array.from({ length: n }, (_, i) => -i / 3);
    const mask = Uint8Array.from({ length: W }, (_, c) => (c % 2 ? 1 : 0));
    const rssData = Float32Array.from({ length: S * H * H }, (_, i) => i);
    const file = await writeFastmriFile(join(dir, 'multi.h5'), {
      kspace: { re, im, shape: [S, C, H, W] },
      reconstructionRss: { data: rssData, shape: [S, H, H] },
      mask,
      attributes: { acquisition: 'CORPD_FBK', max: 2 },
    });
    const s = await readFastmriSlice(file, { slice: 1 });
    expect(Array.from(s.kspace.re)).toEqual(Array.from(re.subarray(C * H * W)));
    expect(Array.from(s.kspace.im)).toEqual(Array.from(im.subarray(C * H * W)));
    expect(Array.from(s.mask!)).toEqual(Array.from(mask));
    expect(Array.from(s.target!.data)).toEqual(Array.from(rssData.subarray(H * H)));
    expect(s.attributes).toMatchObject({ acquisition: 'CORPD_FBK', max: 2 });
    const single = await writeFastmriFile(join(dir, 'single.h5'), {
      kspace: { re: re.subarray(0, S * H * W), im: im.subarray(0, S * H * W), shape: [S, H, W] },
      reconstructionEsc: { data: rssData, shape: [S, H, H] },
    });
    const t = await readFastmriSlice(single);
    expect(t.slice).toBe(1);
    expect(t.multicoil).toBe(false);
    expect(t.kspace.shape).toEqual([1, H, W]);
    expect(t.targetKey).toBe('reconstruction_esc');
  });

  it('names the file and the problem: no kspace, real kspace, not HDF5, slice out of range', async () => {
    const h5 = await import('h5wasm/node');
    await h5.ready;
    const noK = join(dir, 'no-kspace.h5');
    const f = new h5.File(noK, 'w');
    f.create_dataset({ name: 'reconstruction_rss', data: new Float32Array(4), shape: [1, 2, 2] });
    f.close();
    await expect(readFastmriSlice(noK)).rejects.toThrow(InputError);
    await expect(readFastmriSlice(noK)).rejects.toThrow(`${noK}: no 'kspace' dataset; the file has 'reconstruction_rss'`);
    const realK = join(dir, 'real-kspace.h5');
    const g = new h5.File(realK, 'w');
    g.create_dataset({ name: 'kspace', data: new Float32Array(8), shape: [1, 2, 4] });
    g.close();
    await expect(readFastmriSlice(realK)).rejects.toThrow(/real-kspace\.h5: 'kspace' is not complex/);
    const text = join(dir, 'text.h5');
    writeFileSync(text, 'not hdf5 at all');
    await expect(readFastmriSlice(text)).rejects.toThrow(CheckpointError);
    await expect(readFastmriSlice(fixture('fastmri-multicoil.h5'), { slice: 2 })).rejects.toThrow(/slice 2 is outside 0…1/);
    await expect(readFastmriSlice(join(dir, 'missing.h5'))).rejects.toThrow(/fastMRI file not found/);
  });
});

describe('BART .cfl/.hdr', () => {
  it("reads BART's own phantom, whose centred inverse FFT equals ours (BART `fft -i -u 3`)", () => {
    const k = readCfl(fixture('bart-phantom'));
    expect(k.dims).toEqual([16, 16, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const kspace = cflToKspace(k);
    expect(kspace.shape).toEqual([2, 16, 16]);
    const bartImage = cflToKspace(readCfl(fixture('bart-phantom-image.cfl')));
    const ours = tf.tidy(() => {
      const z = kspaceToImage(toComplexTensor(kspace));
      return tf.sqrt(tf.add(tf.square(z.re), tf.square(z.im)));
    });
    const bartMagnitude = bartImage.re.map((r, i) => Math.hypot(r, bartImage.im[i] as number));
    expect(relativeError(ours.dataSync(), bartMagnitude)).toBeLessThan(1e-5);
    ours.dispose();
  });

  it('round-trips through writeCfl, with BART dims for [C, H, W] k-space', () => {
    const data = { re: Float32Array.from({ length: 24 }, (_, i) => i), im: Float32Array.from({ length: 24 }, (_, i) => -i), shape: [2, 3, 4] };
    const base = writeCfl(join(dir, 'k'), data, kspaceCflDims(data.shape));
    expect(readFileSync(`${base}.hdr`, 'utf8')).toBe('# Dimensions\n4 3 1 2 \n');
    const back = cflToKspace(readCfl(`${base}.cfl`));
    expect(back.shape).toEqual([2, 3, 4]);
    expect(Array.from(back.re)).toEqual(Array.from(data.re));
    expect(Array.from(back.im)).toEqual(Array.from(data.im));
  });

  it('names a truncated .cfl and a missing header', () => {
    copyFileSync(fixture('bart-phantom.hdr'), join(dir, 'cut.hdr'));
    copyFileSync(fixture('bart-phantom.cfl'), join(dir, 'cut.cfl'));
    truncateSync(join(dir, 'cut.cfl'), 100);
    expect(() => readCfl(join(dir, 'cut'))).toThrow(/cut\.cfl: has 100 bytes; dimensions \[16 16 1 2 1 1 1 1 1 1 1 1 1 1 1 1\] need 4096/);
    expect(() => readCfl(join(dir, 'nothing'))).toThrow(/BART header not found/);
  });
});

describe('NIfTI', () => {
  it.each(['colin27-crop.nii.gz', 'int16-scaled.nii'])('reads %s as nibabel does (scaling applied)', (name) => {
    const v = readNiftiVolume(fixture(name));
    expect([...v.dims]).toEqual(expected[name]!['dims']);
    expect(Array.from(v.data)).toEqual(expected[name]!['values']!.map(Math.fround));
  });

  it('names a file that is not NIfTI', () => {
    const bad = join(dir, 'bad.nii');
    writeFileSync(bad, Buffer.alloc(400));
    expect(() => readNiftiVolume(bad)).toThrow(/bad\.nii: not a NIfTI-1 or NIfTI-2 file/);
  });
});
