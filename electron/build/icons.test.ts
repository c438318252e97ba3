import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { LINUX_SIZES, renderIcon, writeIcons } from './icons.js';

const ICONS = path.resolve(import.meta.dirname, '..', '..', 'resources', 'icons');
const SVG = path.join(ICONS, 'icon.svg');

async function pixels(png: Buffer | string) {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, info, at: (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)) };
}

describe('app icon', () => {
  it('renders every size with a transparent margin and an opaque tile', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-icons-'));
    const written = await writeIcons(SVG, dir);
    expect(written).toHaveLength(LINUX_SIZES.length + 1);
    for (const size of [1024, ...LINUX_SIZES]) {
      const file = size === 1024 ? path.join(dir, 'icon.png') : path.join(dir, 'png', `${size}x${size}.png`);
      const { info, at } = await pixels(file);
      expect([info.width, info.height], file).toEqual([size, size]);
      expect(at(0, 0)[3], `corner of ${size}`).toBe(0);
      expect(at(Math.floor(size / 2), Math.floor(size * 0.12))[3], `tile of ${size}`).toBe(255);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('matches the committed PNGs (run `npm run icons` after editing the SVG)', async () => {
    for (const size of [32, 256]) {
      const fresh = await pixels(await renderIcon(SVG, size));
      const committed = await pixels(path.join(ICONS, 'png', `${size}x${size}.png`));
      let worst = 0;
      for (let i = 0; i < fresh.data.length; i++) worst = Math.max(worst, Math.abs(fresh.data[i]! - committed.data[i]!));
      expect(worst, `${size}px`).toBeLessThanOrEqual(2);
    }
  });
});
