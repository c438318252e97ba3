import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { decodeToSquare, loadLabelledFolder, MemoryImageSource } from './dataset.js';

async function solid(file: string, width: number, height: number, rgb: [number, number, number], opts: { alpha?: boolean; gray?: boolean } = {}): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const channels = opts.alpha ? 4 : 3;
  let img = sharp({ create: { width, height, channels, background: opts.alpha ? { r: rgb[0], g: rgb[1], b: rgb[2], alpha: 0.5 } : { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  if (opts.gray) img = img.grayscale();
  await img.toFile(file);
}

describe('loadLabelledFolder', () => {
  it('decodes every image to 96×96 RGB, labels by first-level folder, and reports bad files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-folder-'));
    await solid(path.join(dir, 'cats', 'a.jpg'), 120, 80, [200, 10, 10]);
    await solid(path.join(dir, 'cats', 'b.png'), 50, 50, [10, 200, 10], { alpha: true });
    await solid(path.join(dir, 'dogs', 'c.png'), 64, 128, [128, 128, 128], { gray: true });
    fs.writeFileSync(path.join(dir, 'dogs', 'broken.jpg'), 'not a jpeg');
    fs.writeFileSync(path.join(dir, 'dogs', 'notes.txt'), 'ignored');
    const before = fs.readFileSync(path.join(dir, 'cats', 'a.jpg'));

    const folder = await loadLabelledFolder(dir);
    expect(folder.items).toEqual([
      { path: 'cats/a.jpg', label: 0 },
      { path: 'cats/b.png', label: 0 },
      { path: 'dogs/c.png', label: 1 },
    ]);
    expect(folder.classes).toEqual(['cats', 'dogs']);
    expect(folder.errors).toHaveLength(1);
    expect(folder.errors[0]!.path).toBe('dogs/broken.jpg');
    expect(folder.errors[0]!.reason.length).toBeGreaterThan(0);
    expect(folder.source.count).toBe(3);
    expect(folder.source.size).toBe(96);
    const [red, , gray] = await Promise.all([0, 1, 2].map((i) => folder.source.read([i])));
    expect(red!.length).toBe(96 * 96 * 3);
    expect(Math.abs(red![0]! - 200)).toBeLessThan(4);
    expect(red![1]!).toBeLessThan(20);
    expect(gray![0]).toBe(gray![1]);
    // Originals are only read.
    expect(fs.readFileSync(path.join(dir, 'cats', 'a.jpg')).equals(before)).toBe(true);
  });

  it('leaves images unlabelled when some sit at the top level', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-flat-'));
    await solid(path.join(dir, 'top.png'), 10, 10, [1, 2, 3]);
    await solid(path.join(dir, 'sub', 'x.png'), 10, 10, [1, 2, 3]);
    const folder = await loadLabelledFolder(dir);
    expect(folder.classes).toBeUndefined();
    expect(folder.items).toEqual([{ path: 'sub/x.png' }, { path: 'top.png' }]);
  });

  it('crops to the centre ("cover")', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-crop-'));
    const file = path.join(dir, 'wide.png');
    // Left third blue, middle red, right third blue: a cover crop of a 3:1 image keeps only the middle.
    const w = 300;
    const h = 100;
    const raw = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(x >= 100 && x < 200 ? [255, 0, 0] : [0, 0, 255], (y * w + x) * 3);
    await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);
    const px = await decodeToSquare(file, 16);
    for (let i = 0; i < px.length; i += 3) expect(px[i]).toBeGreaterThan(200);
  });
});

describe('MemoryImageSource', () => {
  it('reads rows by index and rejects out-of-range ones', async () => {
    const src = new MemoryImageSource(Uint8Array.from({ length: 3 * 2 * 2 * 3 }, (_, i) => i), 2);
    expect(src.count).toBe(3);
    expect(Array.from(await src.read([2, 0]))).toEqual([...Array.from({ length: 12 }, (_, i) => 24 + i), ...Array.from({ length: 12 }, (_, i) => i)]);
    await expect(src.read([3])).rejects.toThrow(/out of range/);
  });
});
