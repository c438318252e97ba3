/**
 * Plain-Node tests can only cover the shell because its modules do not load `electron` (requiring it here tries to
 * download the binary). Only the entry points may import it at run time; everything else gets it injected.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ELECTRON_DIR = import.meta.dirname;
const ENTRY_POINTS = new Set(['main.ts', 'preload.ts']);

function runtimeElectronImports(code: string): string[] {
  // Comments may talk about `require('electron')`; only code counts.
  const source = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const hits: string[] = [];
  for (const m of source.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+['"](electron(?:\/[^'"]*)?)['"]/gm)) hits.push(m[0].trim());
  for (const m of source.matchAll(/\b(?:require|import)\s*\(\s*['"](electron(?:\/[^'"]*)?)['"]\s*\)/g)) hits.push(m[0]);
  return hits;
}

function tsFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

describe('the electron import boundary', () => {
  it('finds runtime imports and lets type-only imports through', () => {
    expect(runtimeElectronImports("import electron from 'electron';\nimport { app } from 'electron';")).toHaveLength(2);
    expect(runtimeElectronImports("const e = require('electron');")).toHaveLength(1);
    expect(runtimeElectronImports("/** never `require('electron')` here */\n// import { app } from 'electron';")).toEqual([]);
    expect(runtimeElectronImports("import type { BrowserWindow } from 'electron';\nimport { x } from 'electron-builder';")).toEqual([]);
  });

  it('keeps `electron` out of every module but main.ts and preload.ts', () => {
    const offenders = tsFiles(ELECTRON_DIR)
      .filter((f) => !ENTRY_POINTS.has(path.relative(ELECTRON_DIR, f)) && f !== import.meta.filename)
      .flatMap((f) => runtimeElectronImports(fs.readFileSync(f, 'utf8')).map((hit) => `${path.relative(ELECTRON_DIR, f)}: ${hit}`));
    expect(offenders).toEqual([]);
    for (const entry of ENTRY_POINTS) expect(runtimeElectronImports(fs.readFileSync(path.join(ELECTRON_DIR, entry), 'utf8')).length, entry).toBeGreaterThan(0);
  });

  it('keeps `electron` out of core', () => {
    const core = path.resolve(ELECTRON_DIR, '..', 'core');
    const offenders = tsFiles(core).filter((f) => runtimeElectronImports(fs.readFileSync(f, 'utf8')).length > 0);
    expect(offenders).toEqual([]);
  });
});
