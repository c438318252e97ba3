import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { HEIC_FIXTURE, makeImage, makeJpeg, type FixtureFormat } from '../../test/fixtures/images.js';
import { MODEL_INPUT_BYTES } from './cache.js';
import { DecodeError, decodePhoto, intermediateSize } from './decode.js';
import { HeicDecoderPool } from './heic.js';

const heic = new HeicDecoderPool(1);
afterAll(() => heic.close());

const fromBuffer = (buf: Buffer) => ({ read: async () => buf });

/** RGB of the model input at (row, col). */
function inputPixel(input: Buffer, row: number, col: number): [number, number, number] {
  const i = (row * 96 + col) * 3;
  return [input[i]!, input[i + 1]!, input[i + 2]!];
}

describe('decodePhoto', () => {
  it.each<FixtureFormat>(['jpeg', 'png', 'webp', 'avif', 'tiff', 'gif'])('decodes %s into a WebP thumbnail and a 96×96 RGB input', async (format) => {
    const photo = await decodePhoto(fromBuffer(await makeImage(format, { width: 200, height: 150, seed: 3 })), { heic });
    expect(photo.format).toBe(format);
    expect([photo.width, photo.height]).toEqual([200, 150]);
    expect(photo.modelInput.length).toBe(MODEL_INPUT_BYTES);
    const thumbMeta = await sharp(photo.thumbnail.data).metadata();
    expect(thumbMeta.format).toBe('webp');
    expect([thumbMeta.width, thumbMeta.height]).toEqual([200, 150]); // never enlarged
    expect([photo.thumbnail.width, photo.thumbnail.height]).toEqual([200, 150]);
  });

  it('shrinks large photos to a 320 px thumbnail from one decode', async () => {
    const photo = await decodePhoto(fromBuffer(await makeJpeg({ width: 1600, height: 1200, seed: 9 })), { heic });
    expect([photo.thumbnail.width, photo.thumbnail.height]).toEqual([320, 240]);
    expect([photo.width, photo.height]).toEqual([1600, 1200]);
  });

  it('applies EXIF orientation to size, thumbnail and model input', async () => {
    // Stored 80 wide × 40 high, left half red, right half blue; orientation 6 shows it rotated 90° clockwise:
    // 40 wide × 80 high with red on top and blue below.
    const jpeg = await makeJpeg({ width: 80, height: 40, pattern: 'halves', orientation: 6 });
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const photo = await decodePhoto(fromBuffer(jpeg), { heic });
    expect([photo.width, photo.height]).toEqual([40, 80]);
    expect([photo.thumbnail.width, photo.thumbnail.height]).toEqual([40, 80]);
    const top = inputPixel(photo.modelInput, 10, 48);
    const bottom = inputPixel(photo.modelInput, 86, 48);
    expect(top[0]).toBeGreaterThan(150);
    expect(top[2]).toBeLessThan(80);
    expect(bottom[2]).toBeGreaterThan(150);
    expect(bottom[0]).toBeLessThan(80);
    // Orientation 3 (180°): size unchanged, halves swapped.
    const flipped = await decodePhoto(fromBuffer(await makeJpeg({ width: 80, height: 40, pattern: 'halves', orientation: 3 })), { heic });
    expect([flipped.width, flipped.height]).toEqual([80, 40]);
    expect(inputPixel(flipped.modelInput, 48, 5)[2]).toBeGreaterThan(150);
    expect(inputPixel(flipped.modelInput, 48, 90)[0]).toBeGreaterThan(150);
  });

  it('reads capture date and camera from EXIF', async () => {
    const jpeg = await makeJpeg({ width: 32, height: 32, exif: { make: 'Canon', model: 'EOS 5D', takenAt: '2019:07:04 18:30:05' } });
    const photo = await decodePhoto(fromBuffer(jpeg), { heic });
    expect(photo).toMatchObject({ takenAt: '2019-07-04T18:30:05', cameraMake: 'Canon', cameraModel: 'EOS 5D' });
    const plain = await decodePhoto(fromBuffer(await makeImage('png', { width: 32, height: 32 })), { heic });
    expect(plain).toMatchObject({ takenAt: null, cameraMake: null, cameraModel: null });
  });

  it('decodes HEVC HEIC through the fallback decoder (sharp alone cannot)', async () => {
    const bytes = fs.readFileSync(HEIC_FIXTURE);
    await expect(sharp(bytes).raw().toBuffer()).rejects.toThrow();
    const photo = await decodePhoto({ path: HEIC_FIXTURE, read: async () => bytes }, { heic });
    expect(photo).toMatchObject({ format: 'heic', width: 64, height: 48, cameraMake: 'FixtureCam', cameraModel: 'HEIC-1', takenAt: '2021-06-15T10:20:30' });
    expect(photo.modelInput.length).toBe(MODEL_INPUT_BYTES);
    // Left half was encoded with blue 200, right half with blue 30.
    expect(inputPixel(photo.modelInput, 48, 10)[2]).toBeGreaterThan(160);
    expect(inputPixel(photo.modelInput, 48, 85)[2]).toBeLessThan(70);
  });

  it('handles 16-bit, greyscale and transparent images', async () => {
    const px = Buffer.alloc(50 * 40 * 4);
    for (let i = 0; i < 50 * 40; i++) px[i * 4 + 3] = 0; // fully transparent
    const transparent = await sharp(px, { raw: { width: 50, height: 40, channels: 4 } }).png().toBuffer();
    const photo = await decodePhoto(fromBuffer(transparent), { heic });
    expect(inputPixel(photo.modelInput, 48, 48)).toEqual([255, 255, 255]);
    expect((await sharp(photo.thumbnail.data).metadata()).hasAlpha).toBe(true);

    const sixteen = await sharp(await makeImage('png', { width: 60, height: 40 })).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(sixteen).metadata()).depth).toBe('ushort');
    const deep = await decodePhoto(fromBuffer(sixteen), { heic });
    const shallow = await decodePhoto(fromBuffer(await makeImage('png', { width: 60, height: 40 })), { heic });
    const diff = deep.modelInput.reduce((s, v, i) => s + Math.abs(v - shallow.modelInput[i]!), 0) / MODEL_INPUT_BYTES;
    expect(diff).toBeLessThan(2);

    const grey = await sharp(await makeImage('jpeg', { width: 60, height: 40 })).greyscale().jpeg().toBuffer();
    const g = await decodePhoto(fromBuffer(grey), { heic });
    expect(g.modelInput.length).toBe(MODEL_INPUT_BYTES);
    const [r, gg, b] = inputPixel(g.modelInput, 30, 30);
    expect(r).toBe(gg);
    expect(gg).toBe(b);
  });

  it('refuses images above the pixel limit before decoding them', async () => {
    const jpeg = await makeJpeg({ width: 64, height: 48 });
    await expect(decodePhoto(fromBuffer(jpeg), { heic, maxPixels: 3000 })).rejects.toThrow(/too large: 64×48/);
    await expect(decodePhoto(fromBuffer(jpeg), { heic, maxPixels: 3072 })).resolves.toBeTruthy();
  });

  it('explains what is wrong with damaged or non-image data', async () => {
    const jpeg = await makeJpeg({ width: 256, height: 192, seed: 5 });
    const err = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);
    const truncated = await err(decodePhoto(fromBuffer(jpeg.subarray(0, jpeg.length >> 1)), { heic }));
    expect(truncated).toBeInstanceOf(DecodeError);
    expect(truncated!.message).toMatch(/truncated or damaged/);
    const text = await err(decodePhoto(fromBuffer(Buffer.from('hello, not a picture')), { heic }));
    expect(text!.message).toMatch(/not an image/);
    const svg = await err(decodePhoto(fromBuffer(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')), { heic }));
    expect(svg!.message).toMatch(/unsupported image format: svg/);
  });

  it('sizes the shared intermediate for both outputs', () => {
    expect(intermediateSize(4000, 3000)).toEqual({ width: 320, height: 240 });
    expect(intermediateSize(3000, 4000)).toEqual({ width: 240, height: 320 });
    // A panorama keeps 96 px on its short side so the model input is not upscaled.
    expect(intermediateSize(2000, 100)).toEqual({ width: 1920, height: 96 });
    expect(intermediateSize(50, 40)).toEqual({ width: 50, height: 40 });
  });
});
