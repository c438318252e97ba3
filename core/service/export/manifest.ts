import fsp from 'node:fs/promises';
import path from 'node:path';
import { errnoOf, fsyncDir, publishExclusive, unlinkIfExists } from './fileOps.js';
import { numberedName } from './names.js';
import type { Manifest, ManifestEntry } from './types.js';

// original_path is the text form (U+FFFD for bytes that are not UTF-8); the JSON manifest's originalPathBytes
// keeps such a path exactly, which a spreadsheet column could not use.
const CSV_COLUMNS: Array<[string, (e: ManifestEntry) => string | number | null | undefined]> = [
  ['photo_id', (e) => e.photoId],
  ['group', (e) => e.group],
  ['status', (e) => e.status],
  ['original_path', (e) => e.originalPath],
  ['exported_path', (e) => e.exportedPath],
  ['sha256', (e) => e.sha256],
  ['size', (e) => e.size],
  ['mode', (e) => e.mode],
  ['reason', (e) => e.reason],
];

/** RFC 4180: quote a field holding a comma, quote or line break (and edge spaces, which some readers trim). */
export function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]|^\s|\s$/u.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function manifestToCsv(manifest: Manifest): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const entry of manifest.entries) lines.push(CSV_COLUMNS.map(([, get]) => csvField(get(entry))).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function manifestBaseName(exportId: string): string {
  return `photocluster-manifest-${exportId}`;
}

/**
 * Publishes a file we generated into `dir` without ever replacing anything: a name already holding the same
 * bytes is ours from an interrupted attempt; a name holding anything else is left alone and the next number used.
 */
export async function publishGeneratedFile(dir: string, name: string, content: string): Promise<string> {
  const temp = path.join(dir, `.${name}.${process.pid}.tmp`);
  await fsp.writeFile(temp, content, { flag: 'w' });
  const fh = await fsp.open(temp, 'r+');
  await fh.sync().finally(() => fh.close());
  try {
    for (let n = 1; n < 10_000; n++) {
      const target = path.join(dir, numberedName(name, n, 'file'));
      try {
        await publishExclusive(temp, target, { keepTemp: true });
        await fsyncDir(dir);
        return target;
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') throw err;
        const existing = await fsp.readFile(target, 'utf8').catch(() => null);
        if (existing === content) return target;
      }
    }
    throw new Error(`no free name for ${name} in ${dir}`);
  } finally {
    await unlinkIfExists(temp);
  }
}

export async function writeManifest(manifest: Manifest): Promise<{ json: string; csv: string }> {
  const base = manifestBaseName(manifest.exportId);
  const json = await publishGeneratedFile(manifest.destination, `${base}.json`, JSON.stringify(manifest, null, 2) + '\n');
  const csv = await publishGeneratedFile(manifest.destination, `${base}.csv`, manifestToCsv(manifest));
  return { json, csv };
}

export async function readManifest(file: string): Promise<Manifest> {
  return JSON.parse(await fsp.readFile(file, 'utf8')) as Manifest;
}
