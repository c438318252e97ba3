// A folder made ready for training the way the app does it (the real library scan), and the pixels fine-tune mode
// reads from its cache: real photos (a clothing photo and a 32 px CIFAR image), a copy and a broken file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../../paths.js';
import { modelInputPath, thumbnailPath, MODEL_INPUT_SIZE } from '../../library/cache.js';
import { artefactsFor, checkCachedArtefacts, CachedInputSource, featurePixels, FeaturePixelSource } from './cachedImages.js';
import { classLabels, scanFolderForTraining, type ScannedFolder } from './scannedFolder.js';

const clothing = path.join(sharedDir(), 'datasets', 'clothing-photos', 'shoes');
const cifar = path.join(sharedDir(), 'datasets', 'cifar10-test', 'frog', '0000.jpg');

describe('scanFolderForTraining and the pixels features are computed from', () => {
  let dir: string;
  let folder: ScannedFolder;
  let shoe: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-scanned-'));
    const photos = path.join(dir, 'photos');
    fs.mkdirSync(path.join(photos, 'shoes'), { recursive: true });
    fs.mkdirSync(path.join(photos, 'frogs'), { recursive: true });
    shoe = path.join(clothing, fs.readdirSync(clothing).sort()[0]!);
    fs.copyFileSync(shoe, path.join(photos, 'shoes', 'a.jpg'));
    fs.copyFileSync(shoe, path.join(photos, 'shoes', 'b.jpg'));
    fs.copyFileSync(cifar, path.join(photos, 'frogs', 'f.jpg'));
    fs.writeFileSync(path.join(photos, 'frogs', 'broken.jpg'), fs.readFileSync(cifar).subarray(0, 300));
    folder = await scanFolderForTraining(photos, path.join(dir, 'work'));
  });

  afterAll(() => {
    folder?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists each content once, every photo with its hash, class labels from the folders, and the broken file', () => {
    expect(folder.paths).toEqual(['frogs/f.jpg', 'shoes/a.jpg']);
    expect(folder.hashes).toHaveLength(2);
    expect(new Set(folder.hashes).size).toBe(2);
    expect(folder.photos.map((p) => p.path)).toEqual(['frogs/f.jpg', 'shoes/a.jpg', 'shoes/b.jpg']);
    expect(folder.photos[1]!.hash).toBe(folder.photos[2]!.hash);
    expect(folder.duplicates).toBe(1);
    expect(folder.classes).toEqual(['frogs', 'shoes']);
    expect(folder.labels).toEqual([0, 1]);
    expect(folder.errors.map((e) => e.path)).toEqual(['frogs/broken.jpg']);
    expect(folder.errors[0]!.reason).toMatch(/cannot read the image header|truncated|damaged/);
  });

  it('reads a photo at the backbone size from its thumbnail, and a tiny one from its lossless model input', async () => {
    const [frog, shoeHash] = folder.hashes as [string, string];
    const source = new FeaturePixelSource(folder.cacheDir, folder.hashes, 224);
    const pixels = await source.read([0, 1]);
    expect(pixels).toHaveLength(2 * 224 * 224 * 3);
    const fromThumb = await sharp(thumbnailPath(folder.cacheDir, shoeHash)).resize(224, 224, { fit: 'cover' }).removeAlpha().raw().toBuffer();
    expect(Buffer.from(pixels.subarray(224 * 224 * 3)).equals(fromThumb)).toBe(true);
    // The 32 px frog's thumbnail is 32 px (never enlarged): its 96 px model input is used instead.
    const thumbMeta = await sharp(thumbnailPath(folder.cacheDir, frog)).metadata();
    expect(Math.min(thumbMeta.width!, thumbMeta.height!)).toBeLessThan(MODEL_INPUT_SIZE);
    const raw = fs.readFileSync(modelInputPath(folder.cacheDir, frog));
    const fromInput = await sharp(raw, { raw: { width: MODEL_INPUT_SIZE, height: MODEL_INPUT_SIZE, channels: 3 } }).resize(224, 224, { fit: 'cover' }).raw().toBuffer();
    expect(Buffer.from(pixels.subarray(0, 224 * 224 * 3)).equals(fromInput)).toBe(true);
  });

  it('names its pixel sources, and keeps models trained on the 96 px inputs working', () => {
    expect(featurePixels('thumb320', folder.cacheDir, folder.hashes, 160)).toBeInstanceOf(FeaturePixelSource);
    expect(featurePixels('thumb320', folder.cacheDir, folder.hashes, 160).size).toBe(160);
    expect(featurePixels('input96', folder.cacheDir, folder.hashes, 160)).toBeInstanceOf(CachedInputSource);
    expect(() => featurePixels('original', folder.cacheDir, folder.hashes, 160)).toThrow(/unknown pixel source/);
  });

  it('leaves out a photo whose thumbnail is gone, with the reason, when the thumbnails are needed', () => {
    const [frog, shoeHash] = folder.hashes as [string, string];
    const kept = path.join(dir, 'kept.webp');
    fs.renameSync(thumbnailPath(folder.cacheDir, shoeHash), kept);
    try {
      const check = checkCachedArtefacts(folder.cacheDir, folder.hashes, artefactsFor('thumb320'));
      expect(check.usable).toEqual([frog]);
      expect(check.missing).toEqual([{ hash: shoeHash, reason: expect.stringMatching(/thumbnail is missing.*re-scan/) }]);
      expect(checkCachedArtefacts(folder.cacheDir, folder.hashes, artefactsFor('input')).usable).toEqual(folder.hashes);
    } finally {
      fs.renameSync(kept, thumbnailPath(folder.cacheDir, shoeHash));
    }
  });
});

describe('classLabels', () => {
  it('labels paths by their first folder, sorted, and gives up when a path has none', () => {
    expect(classLabels(['b/1.jpg', 'a/2.jpg', 'b/3.jpg'])).toEqual({ classes: ['a', 'b'], labels: [1, 0, 1] });
    expect(classLabels(['b/1.jpg', 'top.jpg'])).toBeUndefined();
    expect(classLabels([])).toBeUndefined();
  });
});
