import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Resolves `requested` (a URL path or a user-typed path) inside `root`, or returns null when it would leave it:
 * `..` segments, absolute paths elsewhere, percent-encoded tricks (`%2e%2e`, `%2f`, `%00`), NUL bytes, and symlinks
 * whose target lies outside the root (checked on the real path). `root` must be absolute.
 */
export async function resolveInside(root: string, requested: string, opts: { decode?: boolean; allowAbsolute?: boolean } = {}): Promise<string | null> {
  let rel = requested;
  if (opts.decode) {
    try {
      rel = decodeURIComponent(requested);
    } catch {
      return null;
    }
  }
  if (rel.includes('\0')) return null;
  const realRoot = await realpathOrNull(root);
  if (!realRoot) return null;
  let candidate: string;
  if (path.isAbsolute(rel) && opts.allowAbsolute) candidate = path.resolve(rel);
  else candidate = path.resolve(root, '.' + path.sep + rel.replace(/^[\\/]+/, ''));
  if (!isWithin(path.resolve(root), candidate) && !isWithin(realRoot, candidate)) return null;
  const real = await realpathOrNull(candidate);
  if (real === null) return null;
  return isWithin(realRoot, real) ? real : null;
}

/** True when `child` is `parent` or lies below it (both absolute, already normalised). */
export function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel));
}

async function realpathOrNull(p: string): Promise<string | null> {
  try {
    return await fs.realpath(p);
  } catch {
    return null;
  }
}
