// Crash safety: scanning processes are killed with SIGKILL at random moments while they write; a later scan must
// find an intact database, every photo exactly once, complete cache entries and untouched originals.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MODEL_INPUT_BYTES, modelInputPath, thumbnailPath } from '../core/library/cache.js';
import { makeJpeg, sha256File, writeFixture } from './fixtures/images.js';
import { CLI, REPO_ROOT, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const FILES = 300;
const KILLS = 4;

function photoCount(dbPath: string): number {
  if (!fs.existsSync(dbPath)) return 0;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'photos'").pluck().get() ? (db.prepare('SELECT COUNT(*) FROM photos').pluck().get() as number) : 0;
  } catch {
    return 0; // schema being created right now
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kill -9 during a scan', () => {
  it('leaves a consistent database that the next scan completes', async () => {
    const dir = tempDir('pc-kill-');
    const root = path.join(dir, 'photos');
    const dbPath = path.join(dir, 'data', 'pc.db');
    const cacheDir = path.join(dir, 'data', 'photocluster-cache');
    for (let i = 0; i < FILES; i++) {
      writeFixture(root, `d${i % 7}/img-${String(i).padStart(4, '0')}.jpg`, await makeJpeg({ width: 320, height: 240, seed: 10_000 + i }));
    }
    const before = new Map<string, string>();
    for (const d of fs.readdirSync(root)) for (const f of fs.readdirSync(path.join(root, d))) before.set(`${d}/${f}`, sha256File(path.join(root, d, f)));

    const killedAt: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const start = photoCount(dbPath);
      const child = spawn(process.execPath, [CLI, 'scan', root, '--db', dbPath, '--json'], { cwd: REPO_ROOT, stdio: 'ignore' });
      const exited = new Promise<void>((r) => child.on('exit', () => r()));
      // Wait until this process is committing photos, then strike at a random moment shortly after.
      const deadline = Date.now() + 20_000;
      while (photoCount(dbPath) <= start && child.exitCode === null && Date.now() < deadline) await sleep(10);
      await sleep(Math.random() * 150);
      child.kill('SIGKILL');
      await exited;
      killedAt.push(photoCount(dbPath));
      const db = new Database(dbPath);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    }
    // The kills really landed mid-scan: progress grew between them and the job was not finished.
    expect(killedAt.filter((n) => n > 0 && n < FILES).length).toBeGreaterThanOrEqual(2);

    const final = await runCli(['scan', root, '--db', dbPath, '--json']);
    expect(final.code).toBe(0);
    const summary = JSON.parse(final.stdout);
    expect(summary).toMatchObject({ scanned: FILES, failed: 0, missing: 0, changed: 0, moved: 0 });
    expect(summary.added).toBe(FILES - killedAt.at(-1)!);

    const db = new Database(dbPath);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const rows = db.prepare('SELECT display_path, content_hash, status FROM photos').all() as { display_path: string; content_hash: string; status: string }[];
    expect(rows).toHaveLength(FILES);
    expect(new Set(rows.map((r) => r.display_path)).size).toBe(FILES);
    for (const r of rows) {
      expect(r.status).toBe('ok');
      expect(r.content_hash).toBe(before.get(r.display_path));
      expect(fs.statSync(modelInputPath(cacheDir, r.content_hash)).size).toBe(MODEL_INPUT_BYTES);
      expect(fs.statSync(thumbnailPath(cacheDir, r.content_hash)).size).toBeGreaterThan(0);
    }
    const states = db.prepare('SELECT state FROM scan_runs ORDER BY id').pluck().all();
    expect(states).toEqual([...Array(KILLS).fill('interrupted'), 'completed']);
    db.close();
    // Temp files of the killed writers were swept; originals are byte-identical.
    expect(fs.readdirSync(path.join(cacheDir, 'tmp'))).toEqual([]);
    for (const [rel, hash] of before) expect(sha256File(path.join(root, rel)), rel).toBe(hash);
  });
});
