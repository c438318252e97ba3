/**
 * File and folder names that are valid on Windows, macOS and Linux at once, so an export can be copied to any
 * disk or shared across machines without a single name being refused or silently altered.
 */

/** Longest name in UTF-8 bytes (ext4, APFS, Btrfs) — also within NTFS's 255 UTF-16 units, see `fits`. */
export const MAX_NAME_BYTES = 255;
/** HFS+ stores names decomposed (NFD) and caps them at 255 UTF-16 units. */
const MAX_NFD_UNITS = 255;

// Windows forbids these characters; C0/C1 controls break terminals and many file managers.
const FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f]/gu;
// Invisible direction overrides can disguise an extension ("photo\u202Egpj.exe"); RTL text itself is kept.
const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
// Leading dots hide a name on macOS/Linux ('.', '..' too); Windows drops trailing dots and spaces.
const LEADING = /^[\s.]+/u;
const TRAILING = /[\s.]+$/u;
// Device names Windows reserves in every folder, with or without an extension.
const WINDOWS_RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/iu;
// Only a short alphanumeric tail counts as an extension ("Trip. Day 1" has none).
const EXTENSION = /\.[\p{L}\p{N}_-]{1,16}$/u;

export type NameKind = 'folder' | 'file';

const FALLBACK: Record<NameKind, string> = { folder: 'Untitled', file: 'photo' };
const encoder = new TextEncoder();
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function utf8Bytes(s: string): number {
  return encoder.encode(s).length;
}

function fits(s: string, maxBytes: number): boolean {
  return utf8Bytes(s) <= maxBytes && s.normalize('NFD').length <= MAX_NFD_UNITS;
}

/** The longest prefix of whole grapheme clusters (never half an emoji or code point) that fits in maxBytes. */
function truncate(s: string, maxBytes: number): string {
  if (fits(s, maxBytes)) return s;
  let out = '';
  for (const { segment } of graphemes.segment(s)) {
    if (!fits(out + segment, maxBytes)) break;
    out += segment;
  }
  return out;
}

function splitExtension(name: string, kind: NameKind): { stem: string; ext: string } {
  const m = kind === 'file' ? name.match(EXTENSION) : null;
  if (!m || m.index === 0) return { stem: name, ext: '' };
  return { stem: name.slice(0, m.index), ext: m[0] };
}

/**
 * `stem (n).ext` (n > 1) or `stem.ext`, cut to fit the byte limit by shortening the stem, never the extension or
 * the number, and with the Windows rules applied to the final result.
 */
function compose(stem: string, ext: string, n: number, kind: NameKind): string {
  const suffix = n > 1 ? ` (${n})` : '';
  let base = truncate(stem, MAX_NAME_BYTES - utf8Bytes(suffix + ext)).replace(TRAILING, '');
  if (!base) base = FALLBACK[kind];
  const firstSegment = base.split('.')[0]!.replace(TRAILING, '');
  if (!suffix && WINDOWS_RESERVED.test(firstSegment)) {
    base = truncate(base.replace(/^[^.]*/u, (s) => `${s}_`), MAX_NAME_BYTES - utf8Bytes(ext));
  }
  return base + suffix + ext;
}

/** Cleans one path component. Idempotent: sanitizeName(sanitizeName(x)) === sanitizeName(x). */
export function sanitizeName(raw: string, kind: NameKind): string {
  const cleaned = raw
    .normalize('NFC')
    .replace(BIDI_CONTROLS, '')
    .replace(FORBIDDEN, '_')
    .replace(LEADING, '')
    .replace(TRAILING, '');
  const { stem, ext } = splitExtension(cleaned, kind);
  return compose(stem, ext, 1, kind);
}

/** The n-th collision-safe variant of an already sanitised name: `IMG_0001 (2).jpg`, `Cats (3)`. */
export function numberedName(name: string, n: number, kind: NameKind): string {
  const { stem, ext } = splitExtension(name, kind);
  return compose(stem, ext, n, kind);
}

/** Two names that differ only in case or Unicode composition are the same file on Windows and macOS. */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/**
 * Hands out names inside one folder so that no two claimed names — nor a claimed name and one already on disk —
 * collide case-insensitively.
 */
export class NameAllocator {
  private readonly taken = new Set<string>();
  /** Existing folders a new group may adopt (key → the name as it is on disk). */
  private readonly reusable = new Map<string, string>();

  constructor(existing: Iterable<string> = [], reusable: Iterable<string> = []) {
    for (const name of existing) this.taken.add(nameKey(name));
    for (const name of reusable) this.reusable.set(nameKey(name), name);
  }

  claim(desired: string, kind: NameKind): string {
    for (let n = 1; n < 100_000; n++) {
      const candidate = numberedName(desired, n, kind);
      const key = nameKey(candidate);
      if (this.taken.has(key)) continue;
      this.taken.add(key);
      const onDisk = this.reusable.get(key);
      return onDisk ?? candidate;
    }
    throw new Error(`no free name for "${desired}"`);
  }
}
