import { describe, expect, it } from 'vitest';
import { galleryAction, globalAction, isTextEntryTarget, nextFocus, reviewAction, type KeyLike } from './keymap.js';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe('keyboard map', () => {
  it('maps gallery keys to actions', () => {
    expect(galleryAction(key('ArrowRight'), false)).toEqual({ type: 'focus', dir: 'right', extend: false });
    expect(galleryAction(key('ArrowDown', { shiftKey: true }), false)).toEqual({ type: 'focus', dir: 'down', extend: true });
    expect(galleryAction(key(' '), false)).toEqual({ type: 'open' });
    expect(galleryAction(key('Enter'), false)).toEqual({ type: 'open' });
    expect(galleryAction(key('a', { ctrlKey: true }), false)).toEqual({ type: 'selectAll' });
    expect(galleryAction(key('a', { metaKey: true }), true)).toEqual({ type: 'selectAll' });
    expect(galleryAction(key('a', { ctrlKey: true }), true)).toBeNull();
    expect(galleryAction(key(' ', { ctrlKey: true }), false)).toEqual({ type: 'toggle' });
    expect(galleryAction(key('Delete'), false)).toEqual({ type: 'reject' });
    expect(galleryAction(key('Backspace'), true)).toEqual({ type: 'reject' });
    expect(galleryAction(key('Backspace'), false)).toBeNull();
    expect(galleryAction(key('Escape'), false)).toEqual({ type: 'clear' });
    expect(galleryAction(key('n'), false)).toEqual({ type: 'newGroup' });
    expect(galleryAction(key('x'), false)).toBeNull();
    expect(galleryAction(key('ArrowLeft', { altKey: true }), false)).toBeNull();
  });

  it('maps undo and redo per platform', () => {
    expect(globalAction(key('z', { ctrlKey: true }), false)).toBe('undo');
    expect(globalAction(key('Z', { ctrlKey: true, shiftKey: true }), false)).toBe('redo');
    expect(globalAction(key('y', { ctrlKey: true }), false)).toBe('redo');
    expect(globalAction(key('z', { metaKey: true }), true)).toBe('undo');
    expect(globalAction(key('z', { metaKey: true, shiftKey: true }), true)).toBe('redo');
    expect(globalAction(key('y', { metaKey: true }), true)).toBeNull();
    expect(globalAction(key('z'), false)).toBeNull();
  });

  it('moves focus through a grid and clamps at the edges', () => {
    // 10 items in 4 columns: rows [0..3] [4..7] [8,9]
    expect(nextFocus(0, 'left', 4, 10, 2)).toBe(0);
    expect(nextFocus(3, 'right', 4, 10, 2)).toBe(4);
    expect(nextFocus(9, 'right', 4, 10, 2)).toBe(9);
    expect(nextFocus(5, 'up', 4, 10, 2)).toBe(1);
    expect(nextFocus(1, 'up', 4, 10, 2)).toBe(1);
    expect(nextFocus(1, 'down', 4, 10, 2)).toBe(5);
    expect(nextFocus(7, 'down', 4, 10, 2)).toBe(9); // into the short last row
    expect(nextFocus(9, 'down', 4, 10, 2)).toBe(9);
    expect(nextFocus(9, 'pageUp', 4, 10, 2)).toBe(1);
    expect(nextFocus(0, 'pageDown', 4, 10, 2)).toBe(8);
    expect(nextFocus(4, 'home', 4, 10, 2)).toBe(0);
    expect(nextFocus(4, 'end', 4, 10, 2)).toBe(9);
    expect(nextFocus(0, 'down', 4, 0, 2)).toBe(-1);
  });

  it('leaves text fields alone', () => {
    expect(isTextEntryTarget({ tagName: 'INPUT', type: 'text', isContentEditable: false } as unknown as EventTarget)).toBe(true);
    expect(isTextEntryTarget({ tagName: 'INPUT', type: 'checkbox', isContentEditable: false } as unknown as EventTarget)).toBe(false);
    expect(isTextEntryTarget({ tagName: 'TEXTAREA', isContentEditable: false } as unknown as EventTarget)).toBe(true);
    expect(isTextEntryTarget({ tagName: 'DIV', isContentEditable: true } as unknown as EventTarget)).toBe(true);
    expect(isTextEntryTarget({ tagName: 'DIV', isContentEditable: false } as unknown as EventTarget)).toBe(false);
    expect(isTextEntryTarget(null)).toBe(false);
  });

  it('maps review keys, one key per decision', () => {
    expect(reviewAction(key('a'))).toEqual({ type: 'accept' });
    expect(reviewAction(key('Enter'))).toEqual({ type: 'accept' });
    expect(reviewAction(key('x'))).toEqual({ type: 'reject' });
    expect(reviewAction(key('3'))).toEqual({ type: 'move', slot: 2 });
    expect(reviewAction(key('0'))).toBeNull();
    expect(reviewAction(key('ArrowRight'))).toEqual({ type: 'skip' });
    expect(reviewAction(key('ArrowLeft'))).toEqual({ type: 'back' });
    expect(reviewAction(key('a', { ctrlKey: true }))).toBeNull();
  });
});
