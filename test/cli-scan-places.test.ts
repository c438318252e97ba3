/**
 * `photocluster scan` is the app's Re-scan: once a folder has groups, photos added to it later are placed in those
 * groups by the model that made them, without training again. Real CIFAR-10 files, a real database file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../core/paths.js';
import { runCli } from './helpers/cli.js';

const CLASSES = ['automobile', 'frog'];
const cifar = (cls: string, i: number) => path.join(sharedDir(), 'datasets', 'cifar10-test', cls, `${String(i).padStart(4, '0')}.jpg`);

describe('photocluster scan after grouping', () => {
  let tmp: string;
  let folder: string;
  let db: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pc-cli-places-')));
    folder = path.join(tmp, 'photos');
    fs.mkdirSync(folder);
    for (const cls of CLASSES) for (let i = 0; i < 8; i++) fs.copyFileSync(cifar(cls, i), path.join(folder, `${cls}-${i}.jpg`));
    db = path.join(tmp, 'data', 'library.db');
    env = { ...process.env, HOME: tmp };
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const grouping = () => {
    const conn = new Database(db, { readonly: true });
    try {
      const rows = conn
        .prepare(`SELECT p.display_path AS path, a.cluster_id AS cluster, a.source FROM photos p LEFT JOIN assignments a ON a.photo_id = p.id ORDER BY p.display_path`)
        .all() as Array<{ path: string; cluster: number | null; source: string | null }>;
      const clusters = conn.prepare(`SELECT id FROM clusters ORDER BY id`).pluck().all() as number[];
      const runs = conn.prepare(`SELECT COUNT(*) FROM runs`).pluck().get() as number;
      return { rows, clusters, runs };
    } finally {
      conn.close();
    }
  };

  it('places photos added since the grouping in the existing groups', async () => {
    const clustered = await runCli(['cluster', folder, '--mode', 'scratch', '--k', '2', '--epochs', '2', '--db', db, '--json'], { env });
    expect(clustered.code, clustered.stderr).toBe(0);
    const before = grouping();
    expect(before.clusters).toHaveLength(2);
    expect(before.rows.every((r) => r.cluster !== null)).toBe(true);

    const added = CLASSES.map((cls) => `${cls}-new.jpg`);
    CLASSES.forEach((cls, i) => fs.copyFileSync(cifar(cls, 100 + i), path.join(folder, added[i]!)));
    const json = await runCli(['scan', folder, '--db', db, '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(Object.keys(out)).toEqual(['library', 'scanned', 'added', 'changed', 'moved', 'missing', 'duplicates', 'failed', 'errors']);
    expect(out).toMatchObject({ scanned: 18, added: 2, failed: 0 });

    const after = grouping();
    expect(after.clusters).toEqual(before.clusters);
    expect(after.runs).toBe(before.runs); // placed by the saved model: nothing was trained again
    for (const name of added) {
      const row = after.rows.find((r) => r.path === name);
      expect(row, name).toBeDefined();
      expect(before.clusters).toContain(row!.cluster);
      expect(row!.source).toBe('model');
    }
    // Photos that were grouped before stay where they were.
    for (const r of before.rows) expect(after.rows.find((x) => x.path === r.path)?.cluster).toBe(r.cluster);

    fs.copyFileSync(cifar('frog', 200), path.join(folder, 'frog-newer.jpg'));
    const text = await runCli(['scan', folder, '--db', db], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Placed 1 new photo in the existing groups$/m);
  }, 300_000);
});
