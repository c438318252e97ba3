import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveDataPaths } from './paths.js';

describe('data paths', () => {
  it('follows XDG on Linux', () => {
    expect(defaultDataDir({ HOME: '/home/ann' }, 'linux')).toBe('/home/ann/.local/share/photocluster');
    expect(defaultDataDir({ HOME: '/home/ann', XDG_DATA_HOME: '/data/x' }, 'linux')).toBe('/data/x/photocluster');
    // A relative XDG_DATA_HOME is invalid per the spec and must be ignored.
    expect(defaultDataDir({ HOME: '/home/ann', XDG_DATA_HOME: 'rel' }, 'linux')).toBe('/home/ann/.local/share/photocluster');
  });

  it('uses the platform directories elsewhere', () => {
    expect(defaultDataDir({ HOME: '/Users/ann' }, 'darwin')).toBe('/Users/ann/Library/Application Support/PhotoCluster');
    expect(defaultDataDir({ HOME: 'C:\\Users\\ann', APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32')).toBe(
      path.join('C:\\Users\\ann\\AppData\\Roaming', 'PhotoCluster'),
    );
  });

  it('lets PHOTOCLUSTER_DATA_DIR and --db override', () => {
    expect(resolveDataPaths({ env: { PHOTOCLUSTER_DATA_DIR: '/tmp/pc' }, platform: 'linux' }).dbPath).toBe('/tmp/pc/photocluster.db');
    const p = resolveDataPaths({ db: '/tmp/elsewhere/my.db', env: { PHOTOCLUSTER_DATA_DIR: '/tmp/pc' } });
    expect(p.dbPath).toBe('/tmp/elsewhere/my.db');
    expect(p.cacheDir).toBe('/tmp/elsewhere/photocluster-cache');
  });
});
