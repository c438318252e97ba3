import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWindowState, restoreWindowState, saveWindowState } from './windowState.js';

const laptop = { x: 0, y: 0, width: 1440, height: 900 };
const monitorRight = { x: 1440, y: 0, width: 2560, height: 1440 };
const min = { width: 720, height: 480 };

describe('restoreWindowState', () => {
  it('centres a default-size window on the primary display when nothing usable was saved', () => {
    for (const saved of [null, 'garbage', 42, {}, { bounds: { width: 'wide' } }, { bounds: { width: NaN, height: 10 } }]) {
      expect(restoreWindowState(saved, [laptop], min)).toEqual({ bounds: { x: 80, y: 40, width: 1280, height: 820 }, maximized: false, fullScreen: false });
    }
  });

  it('keeps a position that is still on a display', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1800, height: 1000 }, maximized: true, fullScreen: false };
    expect(restoreWindowState(saved, [laptop, monitorRight], min)).toEqual(saved);
  });

  it('moves a window whose monitor is gone back onto the primary display, keeping what size fits', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1800, height: 1000 }, maximized: false, fullScreen: false };
    const restored = restoreWindowState(saved, [laptop], min);
    expect(restored.bounds).toEqual({ x: 0, y: 0, width: 1440, height: 900 });
    const smaller = restoreWindowState({ bounds: { x: 3000, y: 100, width: 1000, height: 600 } }, [laptop], min);
    expect(smaller.bounds).toEqual({ x: 220, y: 150, width: 1000, height: 600 });
  });

  it('refuses a title bar above the top of every display (it could not be dragged back)', () => {
    const restored = restoreWindowState({ bounds: { x: 100, y: -500, width: 800, height: 600 } }, [laptop], min);
    expect(restored.bounds.y).toBeGreaterThanOrEqual(0);
  });

  it('clamps sizes to the minimum and to the largest display', () => {
    expect(restoreWindowState({ bounds: { x: 0, y: 0, width: 10, height: 10 } }, [laptop], min).bounds).toMatchObject({ width: 720, height: 480 });
    expect(restoreWindowState({ bounds: { x: 0, y: 0, width: 99999, height: 99999 } }, [laptop], min).bounds).toMatchObject({ width: 1440, height: 900 });
  });
});

describe('saving and loading', () => {
  it('round-trips through a file and treats a corrupt file as none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-winstate-'));
    const file = path.join(dir, 'nested', 'window-state.json');
    const state = { bounds: { x: 200, y: 100, width: 1000, height: 700 }, maximized: false, fullScreen: true };
    saveWindowState(file, state);
    expect(loadWindowState(file, [laptop], min)).toEqual(state);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['window-state.json']);
    fs.writeFileSync(file, '{"bounds": {"x": 1');
    expect(loadWindowState(file, [laptop], min).bounds).toEqual({ x: 80, y: 40, width: 1280, height: 820 });
    expect(loadWindowState(path.join(dir, 'missing.json'), [laptop], min).maximized).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
