/** Keyboard shortcuts as data: which key does what in the gallery and everywhere, independent of React. */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export type Direction = 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end';

export type GalleryAction =
  | { type: 'focus'; dir: Direction; extend: boolean }
  | { type: 'open' }
  | { type: 'toggle' }
  | { type: 'selectAll' }
  | { type: 'clear' }
  | { type: 'reject' }
  | { type: 'newGroup' };

export type GlobalAction = 'undo' | 'redo';

/** The platform's command modifier: ⌘ on macOS, Ctrl elsewhere. */
export function commandKey(e: Pick<KeyLike, 'ctrlKey' | 'metaKey'>, mac: boolean): boolean {
  return mac ? e.metaKey : e.ctrlKey;
}

export function isMacPlatform(platform: string): boolean {
  return /mac|iphone|ipad/i.test(platform);
}

const ARROWS: Record<string, Direction> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  PageUp: 'pageUp',
  PageDown: 'pageDown',
  Home: 'home',
  End: 'end',
};

export function galleryAction(e: KeyLike, mac: boolean): GalleryAction | null {
  const cmd = commandKey(e, mac);
  if (e.altKey) return null;
  const dir = ARROWS[e.key];
  if (dir) return { type: 'focus', dir, extend: e.shiftKey };
  if (cmd && e.key.toLowerCase() === 'a' && !e.shiftKey) return { type: 'selectAll' };
  if (e.key === ' ' && cmd) return { type: 'toggle' };
  if ((e.key === ' ' || e.key === 'Enter') && !cmd && !e.shiftKey) return { type: 'open' };
  if (e.key === 'Escape') return { type: 'clear' };
  if ((e.key === 'Delete' || (mac && e.key === 'Backspace')) && !cmd) return { type: 'reject' };
  if (e.key.toLowerCase() === 'n' && !cmd && !e.shiftKey) return { type: 'newGroup' };
  return null;
}

export function globalAction(e: KeyLike, mac: boolean): GlobalAction | null {
  if (!commandKey(e, mac) || e.altKey) return null;
  const k = e.key.toLowerCase();
  if (k === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (k === 'y' && !mac && !e.shiftKey) return 'redo';
  return null;
}

/** Where focus goes in a grid of `total` items laid out in `columns`, `pageRows` rows to a screen. */
export function nextFocus(index: number, dir: Direction, columns: number, total: number, pageRows: number): number {
  if (total <= 0) return -1;
  const cols = Math.max(1, columns);
  const clamp = (i: number) => Math.min(total - 1, Math.max(0, i));
  const from = clamp(index);
  switch (dir) {
    case 'left':
      return clamp(from - 1);
    case 'right':
      return clamp(from + 1);
    case 'up':
      return from - cols >= 0 ? from - cols : from;
    case 'down':
      // Into the shorter last row: land on its last item rather than nowhere.
      return from + cols < total ? from + cols : Math.floor(from / cols) < Math.floor((total - 1) / cols) ? total - 1 : from;
    case 'pageUp':
      return clamp(from - cols * Math.max(1, pageRows));
    case 'pageDown':
      return clamp(from + cols * Math.max(1, pageRows));
    case 'home':
      return 0;
    case 'end':
      return total - 1;
  }
}

/** True when a key press belongs to a text field and must not trigger app shortcuts. */
export function isTextEntryTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== 'string') return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag !== 'input') return false;
  const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range'].includes(type);
}

export type ReviewAction = { type: 'accept' } | { type: 'reject' } | { type: 'skip' } | { type: 'back' } | { type: 'move'; slot: number };

/** Review "unsure": one key per decision. A/Enter accept, 1–9 move to the n-th group, X/Delete not this group. */
export function reviewAction(e: KeyLike): ReviewAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const k = e.key.toLowerCase();
  if (k === 'a' || k === 'enter') return { type: 'accept' };
  if (k === 'x' || k === 'delete') return { type: 'reject' };
  if (k === 's' || k === 'arrowright') return { type: 'skip' };
  if (k === 'arrowleft') return { type: 'back' };
  if (/^[1-9]$/.test(k)) return { type: 'move', slot: Number(k) - 1 };
  return null;
}
