/**
 * A stand-in for Electron's unpacked Linux distribution, so electron-builder's packaging (file selection, asar,
 * unpacking, fuses) can be checked on machines where the real binary cannot be downloaded. electron-builder only
 * copies an unpacked `electronDist`; the stand-in's executable is a shell script that says what it is, carrying
 * Electron's fuse wire (sentinel, version, length, one byte per fuse at Electron's defaults) so the fuse flipping is
 * exercised and can be read back with @electron/fuses.
 */
import fs from 'node:fs';
import path from 'node:path';

/** @electron/fuses' marker that precedes the fuse wire in an Electron binary. */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/**
 * Electron's shipped fuse states, in wire order: RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on,
 * asar integrity off, only-load-from-asar off, browser V8 snapshot off, file: privileges on.
 */
export const ELECTRON_DEFAULT_FUSES = '10110001';

export function makeStandInElectronDist(dir: string, version: string): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'resources'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'locales'), { recursive: true });
  const script = [
    '#!/bin/sh',
    `echo "stand-in for Electron ${version}, used only to check packaging: it cannot run PhotoCluster" >&2`,
    'exit 1',
    '',
  ].join('\n');
  const wire = Buffer.concat([
    Buffer.from(`# ${FUSE_SENTINEL}`),
    Buffer.from([1, ELECTRON_DEFAULT_FUSES.length]),
    Buffer.from(ELECTRON_DEFAULT_FUSES),
    Buffer.from('\n'),
  ]);
  const executable = path.join(dir, 'electron');
  fs.writeFileSync(executable, Buffer.concat([Buffer.from(script), wire]), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'chrome-sandbox'), '', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'version'), version);
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'stand-in\n');
  fs.writeFileSync(path.join(dir, 'LICENSES.chromium.html'), '<p>stand-in</p>\n');
  fs.writeFileSync(path.join(dir, 'locales', 'en-US.pak'), '');
  return dir;
}
