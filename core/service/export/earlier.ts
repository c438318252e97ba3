/**
 * What earlier exports of the same library left in a destination, as their manifests say: which content sits in which
 * group folder. A new export then adds only what is not there yet — re-running a finished export after the laptop
 * slept through its end must not give the user a second copy of everything.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { isWithin } from '../../safePath.js';
import { errnoOf } from './fileOps.js';
import { manifestBaseName } from './manifest.js';
import { nameKey } from './names.js';
import { mapLimit } from './copyPool.js';
import type { Manifest } from './types.js';

const STAT_CONCURRENCY = 16;
const MANIFEST_NAME = new RegExp(`^${manifestBaseName('')}.+\\.json$`, 'u');

/** A file an earlier export put in a group folder, still there with the size its manifest records. */
export interface EarlierCopy {
  photoId: number;
  sha256: string;
  /** The group folder's name (as on disk) and the file's path now. */
  folder: string;
  path: string;
}

async function readManifests(destination: string): Promise<Manifest[]> {
  let names: string[];
  try {
    names = await fsp.readdir(destination);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR') return [];
    throw err;
  }
  const manifests: Manifest[] = [];
  for (const name of names.filter((n) => MANIFEST_NAME.test(n)).sort()) {
    try {
      const m = JSON.parse(await fsp.readFile(path.join(destination, name), 'utf8')) as Manifest;
      if (m?.format === 1 && Array.isArray(m.entries) && typeof m.destination === 'string') manifests.push(m);
    } catch {
      // Not one of ours after all, or damaged: it vouches for nothing.
    }
  }
  return manifests;
}

/**
 * Whether a manifest is of this library's photos: it names the library, or (written before manifests did) every
 * original it lists lies in the library's folder. Without a library to compare, only manifests that name none count.
 */
function isOfLibrary(m: Manifest, libraryRoots: string[]): boolean {
  if (m.library) return libraryRoots.includes(m.library.root);
  if (libraryRoots.length === 0) return true;
  return m.entries.length > 0 && m.entries.every((e) => libraryRoots.some((root) => isWithin(root, e.originalPath)));
}

export class EarlierExports {
  private constructor(private readonly copies: EarlierCopy[]) {}

  static readonly none = new EarlierExports([]);

  /**
   * The copies earlier exports of the library at `libraryRoots` (its folder as given and as resolved) made in
   * `destination` that are still there with their recorded size. Paths are taken relative to each manifest's own
   * destination, so an export folder moved or renamed since is still recognised.
   */
  static async read(destination: string, libraryRoots: string[]): Promise<EarlierExports> {
    // By path: each re-run's manifest lists again the files that were already there.
    const byPath = new Map<string, EarlierCopy & { size: number }>();
    for (const m of await readManifests(destination)) {
      if (!isOfLibrary(m, libraryRoots)) continue;
      for (const e of m.entries) {
        if ((e.status !== 'exported' && e.status !== 'already-there') || !e.exportedPath || !e.sha256) continue;
        const parts = path.relative(m.destination, e.exportedPath).split(path.sep);
        if (parts.length !== 2 || parts.includes('..')) continue;
        const now = path.join(destination, ...parts);
        byPath.set(now, { photoId: e.photoId, sha256: e.sha256, folder: parts[0]!, path: now, size: e.size });
      }
    }
    const candidates = [...byPath.values()];
    const present = await mapLimit(candidates, STAT_CONCURRENCY, async (c) => {
      // stat, not lstat: a symlink export is there when the photo it points at is.
      const st = await fsp.stat(c.path).catch(() => null);
      return !!st?.isFile() && st.size === c.size;
    });
    return new EarlierExports(candidates.filter((_, i) => present[i]).map(({ size: _size, ...c }) => c));
  }

  /** The copy of this content already in the group folder `folder`, if any. */
  inFolder(sha256: string, folder: string): EarlierCopy | undefined {
    const key = nameKey(folder);
    return this.copies.find((c) => c.sha256 === sha256 && nameKey(c.folder) === key);
  }

  /** Copies of this photo (same id, same content) in other group folders: its group has changed since. */
  elsewhere(photoId: number, sha256: string, folder: string): EarlierCopy[] {
    const key = nameKey(folder);
    return this.copies.filter((c) => c.photoId === photoId && c.sha256 === sha256 && nameKey(c.folder) !== key);
  }
}
