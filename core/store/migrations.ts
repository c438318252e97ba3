import type { Database } from './db.js';
import { serviceSchema } from './serviceSchema.js';
import { trainingEpochsSchema } from './trainingEpochs.js';
import { groupNameSamplesSchema, groupNamesSchema } from './groupNames.js';
import { jobOwnersSchema, namingJobsSchema } from './jobs.js';

/**
 * One ordered list: migration i (0-based) brings the schema to `PRAGMA user_version = i + 1`. Append only — never
 * edit a migration that has shipped. Each one is self-contained (its own CREATE/ALTER statements) and runs inside a
 * transaction together with the user_version bump, so a crash leaves the database at the previous version.
 */
export interface Migration {
  name: string;
  up(db: Database): void;
  /**
   * The migration rebuilds a table (SQLite cannot change a CHECK in place): it runs with foreign-key enforcement off,
   * so dropping the old table neither cascades into nor nulls the rows that refer to it, and the keys are checked
   * before the migration commits.
   */
  rebuildsTables?: boolean;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'library, photos, thumbnails, scan runs',
    up(db) {
      db.exec(`
        CREATE TABLE libraries (
          id INTEGER PRIMARY KEY,
          root TEXT NOT NULL UNIQUE,            -- absolute path of the folder
          created_at TEXT NOT NULL,
          last_scanned_at TEXT
        ) STRICT;

        CREATE TABLE photos (
          id INTEGER PRIMARY KEY,               -- stable for the life of the photo (moves keep it)
          library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
          rel_path BLOB NOT NULL,               -- raw bytes of the path under the root, '/'-separated (non-UTF-8 safe)
          display_path TEXT NOT NULL,           -- rel_path decoded as UTF-8, invalid bytes as U+FFFD
          size INTEGER NOT NULL,
          mtime_ms REAL NOT NULL,
          content_hash TEXT,                    -- sha256 hex; NULL when the file could not be read
          width INTEGER,                        -- after EXIF orientation
          height INTEGER,
          taken_at TEXT,                        -- ISO 8601 from EXIF, local time unless an offset was recorded
          camera_make TEXT,
          camera_model TEXT,
          format TEXT,                          -- jpeg, png, webp, avif, heic, tiff, gif
          status TEXT NOT NULL CHECK (status IN ('ok', 'error', 'missing')),
          error TEXT,
          duplicate_of INTEGER REFERENCES photos(id) ON DELETE SET NULL,
          first_seen_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          UNIQUE (library_id, rel_path)
        ) STRICT;
        CREATE INDEX photos_by_hash ON photos(content_hash);
        CREATE INDEX photos_by_library_status ON photos(library_id, status);

        -- Decoded artefacts on disk, keyed by content so copies and moves share them.
        CREATE TABLE thumbnails (
          content_hash TEXT PRIMARY KEY,
          thumb_width INTEGER NOT NULL,
          thumb_height INTEGER NOT NULL,
          thumb_bytes INTEGER NOT NULL,
          input_size INTEGER NOT NULL,          -- model input is input_size × input_size RGB
          created_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE scan_runs (
          id INTEGER PRIMARY KEY,
          library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
          pid INTEGER NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('running', 'completed', 'cancelled', 'failed', 'interrupted')),
          started_at TEXT NOT NULL,
          finished_at TEXT,
          scanned INTEGER NOT NULL DEFAULT 0,
          added INTEGER NOT NULL DEFAULT 0,
          changed INTEGER NOT NULL DEFAULT 0,
          moved INTEGER NOT NULL DEFAULT 0,
          missing INTEGER NOT NULL DEFAULT 0,
          duplicates INTEGER NOT NULL DEFAULT 0,
          failed INTEGER NOT NULL DEFAULT 0,
          errors TEXT NOT NULL DEFAULT '[]',    -- JSON [{path, reason}]
          message TEXT                          -- why a run failed
        ) STRICT;
        CREATE INDEX scan_runs_by_library ON scan_runs(library_id, state);
      `);
    },
  },
  serviceSchema,
  {
    name: 'scan runs record which process they belong to, not only its pid',
    up(db) {
      // NULL for runs recorded before: only their pid can be checked.
      db.exec(`ALTER TABLE scan_runs ADD COLUMN process_start TEXT`);
    },
  },
  trainingEpochsSchema,
  groupNamesSchema,
  namingJobsSchema,
  groupNameSamplesSchema,
  jobOwnersSchema,
];

/** Applies every migration the database has not seen yet. Refuses a database written by a newer version. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`database schema version ${current} is newer than this PhotoCluster understands (${migrations.length}); upgrade PhotoCluster`);
  }
  for (let v = current; v < migrations.length; v++) {
    const m = migrations[v]!;
    // Only outside a transaction can enforcement be switched, and only where it is on does it need switching back.
    const keysOff = Boolean(m.rebuildsTables) && (db.pragma('foreign_keys', { simple: true }) as number) === 1;
    if (keysOff) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        // Another process (the ML worker, a CLI command) may have migrated while this one waited for the lock.
        if ((db.pragma('user_version', { simple: true }) as number) !== v) return;
        // Counted before as well: rows an older version left pointing nowhere must not stop the database from opening.
        const dangling = () => (m.rebuildsTables ? (db.pragma('foreign_key_check') as unknown[]).length : 0);
        const before = dangling();
        m.up(db);
        const after = dangling();
        if (after > before) throw new Error(`migration "${m.name}" left ${after - before} rows referring to missing rows`);
        db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    } finally {
      if (keysOff) db.pragma('foreign_keys = ON');
    }
  }
}
