import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/tmp.js';
import { DatabaseOpenError, openDatabase, writeMark } from './db.js';
import { MIGRATIONS, migrate, type Migration } from './migrations.js';
import { getOrCreateLibrary } from './libraries.js';
import { EMPTY_CONTENT, getPhoto, insertPhoto, markPhotosMissing, refreshDuplicates, type PhotoWrite } from './photos.js';
import { finishScanRun, getScanRun, reapStaleRuns, startScanRun } from './scanRuns.js';
import { ownProcessStart, processStart } from '../processIdentity.js';

function photo(name: string, hash: string | null, status: PhotoWrite['status'] = 'ok'): PhotoWrite {
  return { ...EMPTY_CONTENT, content_hash: hash, rel_path: Buffer.from(name), display_path: name, size: 1, mtime_ms: 1, status, error: null };
}

describe('openDatabase', () => {
  it('creates the schema with WAL, foreign keys and user_version = number of migrations', () => {
    const dir = tempDir();
    const db = openDatabase(path.join(dir, 'nested', 'pc.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['libraries', 'photos', 'scan_runs', 'thumbnails']));
    db.close();
    // Re-opening runs no migration again and keeps data.
    const again = openDatabase(path.join(dir, 'nested', 'pc.db'));
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    again.close();
  });

  it('applies only new migrations, each atomically with its version bump', () => {
    const db = openDatabase(path.join(tempDir(), 'pc.db'));
    const extra: Migration[] = [
      ...MIGRATIONS,
      { name: 'ok', up: (d) => d.exec('CREATE TABLE extra_ok (x INTEGER)') },
      {
        name: 'broken',
        up: (d) => {
          d.exec('CREATE TABLE extra_half (x INTEGER)');
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrate(db, extra)).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    const names = db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'extra_%'").pluck().all();
    expect(names).toEqual(['extra_ok']);
    db.close();
  });

  it('rebuilds the jobs table for naming jobs without losing a job or what points at it', () => {
    const file = path.join(tempDir(), 'pc.db');
    const old = new BetterSqlite3(file);
    old.pragma('foreign_keys = ON');
    const before = MIGRATIONS.findIndex((m) => m.name === 'naming jobs');
    migrate(old, MIGRATIONS.slice(0, before));
    const lib = getOrCreateLibrary(old, '/photos').id;
    old.prepare(`INSERT INTO jobs (id, library_id, kind, state, args, created_at) VALUES (7, ?, 'cluster', 'done', '{}', 'then')`).run(lib);
    old.prepare(`INSERT INTO training_epochs (job_id, epoch, stats) VALUES (7, 1, '{}'), (7, 2, '{}')`).run();
    old.prepare(`INSERT INTO runs (id, library_id, job_id, mode, backend, k, config, started_at) VALUES (3, ?, 7, 'finetune', 'cpu', 2, '{}', 'then')`).run(lib);
    expect(() => old.prepare(`INSERT INTO jobs (library_id, kind, state, args, created_at) VALUES (?, 'names', 'queued', '{}', 'now')`).run(lib)).toThrow(/CHECK/);
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare(`SELECT id, kind, state FROM jobs`).all()).toEqual([{ id: 7, kind: 'cluster', state: 'done' }]);
    expect(db.prepare(`SELECT COUNT(*) FROM training_epochs WHERE job_id = 7`).pluck().get()).toBe(2);
    expect(db.prepare(`SELECT job_id FROM runs WHERE id = 3`).pluck().get()).toBe(7);
    db.prepare(`INSERT INTO jobs (library_id, kind, state, args, created_at) VALUES (?, 'names', 'queued', '{}', 'now')`).run(lib);
    // The keys still hold on the new table: deleting the job takes its epochs and leaves the run without a job.
    db.prepare(`DELETE FROM jobs WHERE id = 7`).run();
    expect(db.prepare(`SELECT COUNT(*) FROM training_epochs`).pluck().get()).toBe(0);
    expect(db.prepare(`SELECT job_id FROM runs WHERE id = 3`).pluck().get()).toBeNull();
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE tbl_name = 'jobs' AND type = 'index' ORDER BY name`).pluck().all()).toEqual(['jobs_by_library', 'jobs_by_state']);
    db.close();
  });

  it('refuses a table rebuild that leaves rows pointing nowhere, but not rows an older version left so', () => {
    const file = path.join(tempDir(), 'pc.db');
    const old = new BetterSqlite3(file);
    const before = MIGRATIONS.findIndex((m) => m.name === 'naming jobs');
    migrate(old, MIGRATIONS.slice(0, before));
    old.pragma('foreign_keys = OFF');
    old.prepare(`INSERT INTO training_epochs (job_id, epoch, stats) VALUES (99, 1, '{}')`).run();
    old.close();
    const db = openDatabase(file);
    expect(db.prepare(`SELECT COUNT(*) FROM training_epochs`).pluck().get()).toBe(1);

    const id = Number(db.prepare(`INSERT INTO jobs (kind, state, args, created_at) VALUES ('cluster', 'done', '{}', 'then')`).run().lastInsertRowid);
    db.prepare(`INSERT INTO training_epochs (job_id, epoch, stats) VALUES (?, 1, '{}')`).run(id);
    const losing: Migration = { name: 'loses a job', rebuildsTables: true, up: (d) => void d.prepare(`DELETE FROM jobs WHERE id = ?`).run(id) };
    expect(() => migrate(db, [...MIGRATIONS, losing])).toThrow(/left 1 rows referring to missing rows/);
    expect(db.prepare(`SELECT COUNT(*) FROM jobs WHERE id = ?`).pluck().get(id)).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('skips a migration another process applied while this one waited for the lock', () => {
    const db = openDatabase(path.join(tempDir(), 'pc.db'));
    let ran = 0;
    const extra: Migration[] = [...MIGRATIONS, { name: 'counted', up: () => void ran++ }];
    // As if another connection had migrated between this one reading the version and taking the lock.
    const real = db.pragma.bind(db);
    let reads = 0;
    const racing = new Proxy(db, {
      get: (target, prop) =>
        prop === 'pragma'
          ? (source: string, opts?: { simple?: boolean }) => {
              if (source === 'user_version' && reads++ === 0) {
                const v = real('user_version', { simple: true }) as number;
                real(`user_version = ${v + 1}`);
                return v;
              }
              return real(source, opts);
            }
          : Reflect.get(target, prop),
    });
    migrate(racing, extra);
    expect(ran).toBe(0);
    expect(db.pragma('user_version', { simple: true })).toBe(extra.length);
    db.close();
  });

  it('refuses a database from a newer PhotoCluster', () => {
    const file = path.join(tempDir(), 'pc.db');
    const db = openDatabase(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this PhotoCluster/);
  });

  it('gives clear errors for a directory, a non-SQLite file and an unwritable location', () => {
    const dir = tempDir();
    expect(() => openDatabase(dir)).toThrow(DatabaseOpenError);
    expect(() => openDatabase(dir)).toThrow(/is a directory/);
    const text = path.join(dir, 'notes.db');
    fs.writeFileSync(text, 'definitely not sqlite, just some words that fill more than a header would '.repeat(20));
    expect(() => openDatabase(text)).toThrow(/not a PhotoCluster database \(not an SQLite file\)/);
    expect(fs.readFileSync(text, 'utf8')).toMatch(/^definitely not sqlite/); // untouched
    const underFile = path.join(text, 'sub', 'pc.db');
    expect(() => openDatabase(underFile)).toThrow(/cannot create the directory/);
  });
});

describe('photos and scan runs', () => {
  it('points copies at the first ok copy and re-points when it goes missing', () => {
    const db = openDatabase(path.join(tempDir(), 'pc.db'));
    const lib = getOrCreateLibrary(db, '/photos');
    expect(getOrCreateLibrary(db, '/photos').id).toBe(lib.id);
    const h = 'a'.repeat(64);
    const a = insertPhoto(db, lib.id, photo('a.jpg', h));
    const b = insertPhoto(db, lib.id, photo('b.jpg', h));
    const c = insertPhoto(db, lib.id, photo('c.jpg', h));
    const broken = insertPhoto(db, lib.id, photo('d.jpg', h, 'error'));
    expect(refreshDuplicates(db, lib.id, [h])).toBe(2);
    expect([a, b, c, broken].map((id) => getPhoto(db, id)!.duplicate_of)).toEqual([null, a, a, null]);
    markPhotosMissing(db, [a]);
    expect(refreshDuplicates(db, lib.id, [h])).toBe(0);
    expect([a, b, c].map((id) => getPhoto(db, id)!.duplicate_of)).toEqual([null, null, b]);
    expect(getPhoto(db, a)!.status).toBe('missing');
    db.close();
  });

  it('keeps raw path bytes that are not UTF-8', () => {
    const db = openDatabase(path.join(tempDir(), 'pc.db'));
    const lib = getOrCreateLibrary(db, '/photos');
    const raw = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x6a, 0x70, 0x67]);
    const id = insertPhoto(db, lib.id, { ...photo('x', null), rel_path: raw, display_path: raw.toString('utf8') });
    const row = getPhoto(db, id)!;
    expect(Buffer.compare(row.rel_path, raw)).toBe(0);
    expect(row.display_path).toBe('caf\ufffd.jpg');
    db.close();
  });

  it('marks runs of dead processes interrupted and reports live ones', () => {
    const db = openDatabase(path.join(tempDir(), 'pc.db'));
    const lib = getOrCreateLibrary(db, '/photos');
    const mine = startScanRun(db, lib.id);
    db.prepare("INSERT INTO scan_runs (library_id, pid, state, started_at) VALUES (?, 2147483646, 'running', 'x')").run(lib.id);
    db.prepare("INSERT INTO scan_runs (library_id, pid, state, started_at) VALUES (?, 1, 'running', 'x')").run(lib.id);
    const live = reapStaleRuns(db, lib.id);
    expect(live?.pid).toBe(process.pid); // this process's own active run comes first
    const states = db.prepare('SELECT pid, state FROM scan_runs ORDER BY id').all();
    expect(states).toEqual([
      { pid: process.pid, state: 'running' }, // started by this process and still active
      { pid: 2147483646, state: 'interrupted' },
      { pid: 1, state: 'running' },
    ]);
    db.prepare("INSERT INTO scan_runs (library_id, pid, state, started_at) VALUES (?, ?, 'running', 'x')").run(lib.id, process.pid);
    reapStaleRuns(db, lib.id); // a run row of this pid that this process did not start is stale
    expect(db.prepare('SELECT state FROM scan_runs ORDER BY id DESC LIMIT 1').pluck().get()).toBe('interrupted');
    // A crashed scan's pid now belongs to another program (pid 1 here): its recorded start tells them apart. A row
    // without a start (recorded before starts were kept) can only be judged by its pid.
    const insert = db.prepare("INSERT INTO scan_runs (library_id, pid, process_start, state, started_at) VALUES (?, 1, ?, 'running', 'x')");
    const reused = Number(insert.run(lib.id, 'another-boot:12345').lastInsertRowid);
    const pid1 = Number(insert.run(lib.id, processStart(1)).lastInsertRowid);
    reapStaleRuns(db, lib.id);
    const stateOf = (id: number) => getScanRun(db, id)!.state;
    expect(stateOf(reused)).toBe(process.platform === 'linux' ? 'interrupted' : 'running');
    expect(stateOf(pid1)).toBe('running');
    expect(getScanRun(db, mine)!.process_start).toBe(ownProcessStart());
    finishScanRun(db, mine, 'completed', { scanned: 1, added: 1, changed: 0, moved: 0, missing: 0, duplicates: 0, failed: 0, errors: [] });
    expect(getScanRun(db, mine)!.state).toBe('completed');
    db.close();
  });
});

describe('writeMark', () => {
  it('changes with every write to the database, by this connection or another, and only then', () => {
    const file = path.join(tempDir(), 'photocluster.db');
    const db = openDatabase(file);
    const other = openDatabase(file);
    try {
      const before = writeMark(db);
      expect(writeMark(db)).toBe(before);
      getOrCreateLibrary(db, '/photos/a');
      const afterOwn = writeMark(db);
      expect(afterOwn).not.toBe(before);
      getOrCreateLibrary(other, '/photos/b');
      expect(writeMark(db)).not.toBe(afterOwn);
      expect(writeMark(db)).toBe(writeMark(db));
    } finally {
      other.close();
      db.close();
    }
  });
});
