/**
 * Remembers where the window was: size, position, maximized, full screen. The saved position is only reused while it
 * is still on a connected display (a laptop undocked from its monitor must not open the app off-screen).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: WindowBounds;
  maximized: boolean;
  fullScreen: boolean;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_SIZE = { width: 1280, height: 820 };
/** How much of the window's title-bar band must be on a display for the saved position to be kept. */
const MIN_VISIBLE = 64;

function intersection(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

function finiteInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null;
}

function centredOn(area: Rect, size: { width: number; height: number }): Rect {
  return { x: area.x + Math.round((area.width - size.width) / 2), y: area.y + Math.round((area.height - size.height) / 2), ...size };
}

/** The default: a comfortable size centred on the primary display, never larger than its work area. */
export function defaultWindowState(primaryWorkArea: Rect): WindowState {
  const size = { width: Math.min(DEFAULT_SIZE.width, primaryWorkArea.width), height: Math.min(DEFAULT_SIZE.height, primaryWorkArea.height) };
  return { bounds: centredOn(primaryWorkArea, size), maximized: false, fullScreen: false };
}

/**
 * Turns whatever was saved (possibly corrupt, hand-edited or from another monitor layout) into a state that puts the
 * window somewhere visible. `workAreas[0]` is the primary display.
 */
export function restoreWindowState(saved: unknown, workAreas: Rect[], minSize: { width: number; height: number }): WindowState {
  const primary = workAreas[0] ?? { x: 0, y: 0, width: DEFAULT_SIZE.width, height: DEFAULT_SIZE.height };
  const fallback = defaultWindowState(primary);
  if (typeof saved !== 'object' || saved === null) return fallback;
  const s = saved as { bounds?: Record<string, unknown>; maximized?: unknown; fullScreen?: unknown };
  const width = finiteInt(s.bounds?.width);
  const height = finiteInt(s.bounds?.height);
  const flags = { maximized: s.maximized === true, fullScreen: s.fullScreen === true };
  if (width === null || height === null) return { ...fallback, ...flags };
  const largest = workAreas.reduce((m, a) => ({ width: Math.max(m.width, a.width), height: Math.max(m.height, a.height) }), { width: 0, height: 0 });
  const size = {
    width: Math.min(Math.max(width, minSize.width), Math.max(largest.width, minSize.width)),
    height: Math.min(Math.max(height, minSize.height), Math.max(largest.height, minSize.height)),
  };
  const x = finiteInt(s.bounds?.x);
  const y = finiteInt(s.bounds?.y);
  if (x !== null && y !== null) {
    // The top band is what the user grabs to move the window: it must be reachable on some display.
    const titleBand = { x, y, width: size.width, height: Math.min(MIN_VISIBLE, size.height) };
    const visible = workAreas.some((area) => {
      const hit = intersection(titleBand, area);
      return hit !== null && hit.width >= Math.min(MIN_VISIBLE, size.width) && hit.y === y;
    });
    if (visible) return { bounds: { x, y, ...size }, ...flags };
  }
  return { bounds: centredOn(primary, { width: Math.min(size.width, primary.width), height: Math.min(size.height, primary.height) }), ...flags };
}

/** Reads the saved state; a missing or unreadable file is the same as none. */
export function loadWindowState(file: string, workAreas: Rect[], minSize: { width: number; height: number }): WindowState {
  let saved: unknown = null;
  try {
    saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    saved = null;
  }
  return restoreWindowState(saved, workAreas, minSize);
}

/** Writes atomically (temp file + rename) so a crash mid-write cannot leave a half-written file behind. */
export function saveWindowState(file: string, state: WindowState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(tmp, file);
}
