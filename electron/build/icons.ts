/**
 * Renders the app icon (resources/icons/icon.svg, drawn by hand) into the PNGs packaging and the window use:
 * icon.png at 1024 px (electron-builder derives the macOS .icns and Windows .ico from it) and png/NxN.png, the Linux
 * icon set (also the window icon). Run `npm run icons` after editing the SVG; the PNGs are committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const;

export async function renderIcon(svgFile: string, size: number): Promise<Buffer> {
  // Rasterise at a density that gives at least the target size, then downscale: crisp edges at every size.
  const density = Math.max(72, Math.ceil((72 * size) / 1024) * 2);
  return sharp(svgFile, { density }).resize(size, size).png({ compressionLevel: 9 }).toBuffer();
}

export async function writeIcons(svgFile: string, outDir: string): Promise<string[]> {
  const written: string[] = [];
  fs.mkdirSync(path.join(outDir, 'png'), { recursive: true });
  const main = path.join(outDir, 'icon.png');
  fs.writeFileSync(main, await renderIcon(svgFile, 1024));
  written.push(main);
  for (const size of LINUX_SIZES) {
    const file = path.join(outDir, 'png', `${size}x${size}.png`);
    fs.writeFileSync(file, await renderIcon(svgFile, size));
    written.push(file);
  }
  return written;
}

const isEntry = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntry) {
  const icons = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources', 'icons');
  const written = await writeIcons(path.join(icons, 'icon.svg'), icons);
  process.stdout.write(written.map((f) => path.relative(process.cwd(), f)).join('\n') + '\n');
}
