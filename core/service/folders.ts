/** The server-side folder browser of browser mode: directories only, never outside the allowed root. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ApiError, type FolderListing } from '../api.js';
import { isWithin, resolveInside } from '../safePath.js';

const MAX_ENTRIES = 5000;

/**
 * Lists the sub-folders of `requested` (absolute, or relative to the root; default the root itself). Symlinks are
 * followed only when their target stays inside the root; hidden folders are left out.
 */
export async function browseFolders(root: string, requested: string | undefined): Promise<FolderListing> {
  const realRoot = await fs.realpath(root).catch(() => {
    throw new ApiError('not_found', `the folder browser's root ${root} does not exist`);
  });
  const target = requested === undefined ? realRoot : await resolveInside(realRoot, requested, { allowAbsolute: true });
  if (target === null) throw new ApiError('forbidden', `only folders inside ${realRoot} can be browsed`);
  let dirents: import('node:fs').Dirent[];
  try {
    dirents = await fs.readdir(target, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new ApiError('bad_request', `${target} is not a folder`);
    if (code === 'EACCES' || code === 'EPERM') throw new ApiError('forbidden', `no permission to read ${target}`);
    throw new ApiError('not_found', `cannot read ${target}`);
  }
  const entries: FolderListing['entries'] = [];
  for (const d of dirents) {
    if (d.name.startsWith('.')) continue;
    const full = path.join(target, d.name);
    if (d.isSymbolicLink()) {
      const real = await fs.realpath(full).catch(() => null);
      if (!real || !isWithin(realRoot, real) || !(await fs.stat(real).catch(() => null))?.isDirectory()) continue;
    } else if (!d.isDirectory()) continue;
    entries.push({ name: d.name, path: full });
    if (entries.length >= MAX_ENTRIES) break;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }));
  return { path: target, parent: target === realRoot ? null : path.dirname(target), root: realRoot, entries };
}
