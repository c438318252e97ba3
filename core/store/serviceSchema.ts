import type { Migration } from './migrations.js';

/** Jobs, clustering runs, clusters, assignments, user edits, cached features and settings. */
export const serviceSchema: Migration = {
  name: 'jobs, runs, clusters, assignments, edits, features, settings',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL                   -- JSON
      ) STRICT;

      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        library_id INTEGER REFERENCES libraries(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('scan', 'features', 'train', 'cluster', 'export')),
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        args TEXT NOT NULL,                   -- JSON, as validated by the contract
        progress TEXT,                        -- JSON JobProgress, last persisted
        result TEXT,                          -- JSON
        error TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      ) STRICT;
      CREATE INDEX jobs_by_state ON jobs(state);
      CREATE INDEX jobs_by_library ON jobs(library_id, id);

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
        job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        mode TEXT NOT NULL CHECK (mode IN ('finetune', 'scratch')),
        backbone TEXT,
        backend TEXT NOT NULL,
        k INTEGER NOT NULL,
        k_suggested INTEGER,
        k_reasoning TEXT,
        config TEXT NOT NULL,                 -- JSON
        started_at TEXT NOT NULL,
        finished_at TEXT,
        seconds REAL,
        loss_history TEXT NOT NULL DEFAULT '[]', -- JSON EpochStats[]
        model_dir TEXT,                       -- the trained network, to assign photos added later without retraining
        metrics TEXT                          -- JSON, only when labels were known (benchmarks)
      ) STRICT;
      ALTER TABLE libraries ADD COLUMN current_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL;

      CREATE TABLE clusters (
        id INTEGER PRIMARY KEY,
        library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        user_named INTEGER NOT NULL DEFAULT 0,
        hidden INTEGER NOT NULL DEFAULT 0,
        model_index INTEGER,                  -- which output of the current run's model feeds this cluster; NULL for user-made groups
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX clusters_by_library ON clusters(library_id);

      -- Where each photo is. source = 'user' pins it: a new run never moves it.
      CREATE TABLE assignments (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
        confidence REAL,
        source TEXT NOT NULL CHECK (source IN ('model', 'user')),
        run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        is_new INTEGER NOT NULL DEFAULT 0     -- added after the run that trained the model
      ) STRICT;
      CREATE INDEX assignments_by_cluster ON assignments(cluster_id, confidence);

      -- "Not this group": the model may never put the photo back there.
      CREATE TABLE rejections (
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
        PRIMARY KEY (photo_id, cluster_id)
      ) STRICT;

      -- The current run's per-photo output: deep embedding (split, map) and softmax over model outputs (next best group).
      CREATE TABLE embeddings (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        vector BLOB NOT NULL,                 -- float32 little-endian
        probs BLOB NOT NULL                   -- float32 little-endian, one per model output
      ) STRICT;

      -- Backbone features per content × backbone × view (0 = the photo itself, 1.. = augmented views).
      CREATE TABLE features (
        content_hash TEXT NOT NULL,
        backbone TEXT NOT NULL,
        view INTEGER NOT NULL,
        embedding BLOB NOT NULL,              -- float32 little-endian
        shallow BLOB,                         -- float32 little-endian, the shallow tap for the MI loss
        PRIMARY KEY (content_hash, backbone, view)
      ) STRICT;

      CREATE TABLE edits (
        id INTEGER PRIMARY KEY,
        library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
        run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        kind TEXT NOT NULL,
        description TEXT NOT NULL,
        changes TEXT NOT NULL,                -- JSON row snapshots before/after, applied by undo/redo
        state TEXT NOT NULL CHECK (state IN ('done', 'undone', 'discarded')),
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX edits_by_library ON edits(library_id, id);
    `);
  },
};
