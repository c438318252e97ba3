/**
 * Suggested names for groups, one per group, each tied to the run that made the group: a new run makes the
 * suggestions of the previous one stale (its photos moved), so only those of the library's current run are read.
 * A group the user has named shows none; undoing the rename brings its suggestion back with the old name.
 */
import type { Database } from './db.js';
import type { Migration } from './migrations.js';
import { stmt } from './statements.js';

export const groupNamesSchema: Migration = {
  name: 'suggested group names',
  up(db) {
    db.exec(`
      CREATE TABLE group_name_suggestions (
        cluster_id INTEGER PRIMARY KEY REFERENCES clusters(id) ON DELETE CASCADE,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        photos INTEGER NOT NULL,              -- photos whose classifier guess agrees with the name
        of_photos INTEGER NOT NULL            -- photos of the group that were looked at
      ) STRICT;
    `);
  },
};

/**
 * Which photos each group's suggestion was read from (also where they agreed on nothing): an edit that changes a
 * group's surest photos enough makes its name worth reading again, one that does not leaves it be.
 */
export const groupNameSamplesSchema: Migration = {
  name: 'the photos each group was named from',
  up(db) {
    db.exec(`
      CREATE TABLE group_name_samples (
        cluster_id INTEGER PRIMARY KEY REFERENCES clusters(id) ON DELETE CASCADE,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        hashes TEXT NOT NULL                  -- JSON array: content hashes of the photos looked at
      ) STRICT;
    `);
  },
};

export interface StoredNameSuggestion {
  clusterId: number;
  name: string;
  photos: number;
  of: number;
}

/** The groups a name could be suggested for (those the user has not named), each with its surest photos' contents. */
export function groupsToName(db: Database, libraryId: number, perGroup: number): Array<{ id: number; hashes: string[] }> {
  const ids = stmt<[number], { id: number }>(db, `SELECT id FROM clusters WHERE library_id = ? AND user_named = 0 ORDER BY id`).all(libraryId);
  // Hand-placed photos have no confidence and come last; duplicates count once (one content, one classification).
  const hashes = stmt<[number, number], { hash: string }>(
    db,
    `SELECT p.content_hash AS hash FROM assignments a JOIN photos p ON p.id = a.photo_id
     WHERE a.cluster_id = ? AND p.status = 'ok' AND p.content_hash IS NOT NULL
     GROUP BY p.content_hash ORDER BY MAX(a.confidence) IS NULL, MAX(a.confidence) DESC, MIN(a.photo_id) LIMIT ?`,
  );
  return ids.map(({ id }) => ({ id, hashes: hashes.all(id, perGroup).map((r) => r.hash) })).filter((g) => g.hashes.length > 0);
}

/** The names the user gave the library's groups (a suggestion for another group should not repeat one). */
export function userGroupNames(db: Database, libraryId: number): string[] {
  return stmt<[number], { name: string }>(db, `SELECT name FROM clusters WHERE library_id = ? AND user_named = 1 ORDER BY id`)
    .all(libraryId)
    .map((r) => r.name);
}

/** What naming a group found: the photos looked at, and the name they agreed on (null when they did not agree). */
export interface GroupNaming {
  clusterId: number;
  hashes: readonly string[];
  suggestion: { name: string; photos: number; of: number } | null;
}

/**
 * Records each group's naming for run `runId`, replacing what the group had, and returns how many got a name. A group
 * deleted meanwhile (an undone split, a merge) is skipped: the edit that removed it has already made whatever it left
 * behind due for naming.
 */
export function recordGroupNamings(db: Database, libraryId: number, runId: number, namings: readonly GroupNaming[]): number {
  return db.transaction(() => {
    let named = 0;
    const exists = stmt<[number, number], { id: number }>(db, `SELECT id FROM clusters WHERE id = ? AND library_id = ?`);
    const dropName = stmt(db, `DELETE FROM group_name_suggestions WHERE cluster_id = ?`);
    const putSample = stmt(db, `INSERT OR REPLACE INTO group_name_samples (cluster_id, run_id, hashes) VALUES (?, ?, ?)`);
    const putName = stmt(db, `INSERT INTO group_name_suggestions (cluster_id, run_id, name, photos, of_photos) VALUES (?, ?, ?, ?, ?)`);
    for (const n of namings) {
      if (!exists.get(n.clusterId, libraryId)) continue;
      dropName.run(n.clusterId);
      putSample.run(n.clusterId, runId, JSON.stringify(n.hashes));
      if (n.suggestion) named += putName.run(n.clusterId, runId, n.suggestion.name, n.suggestion.photos, n.suggestion.of).changes;
    }
    return named;
  })();
}

/** The photos each of the library's groups was last named from, for groups named since the current run began. */
export function namedSamples(db: Database, libraryId: number): Map<number, string[]> {
  const rows = stmt<[number], { clusterId: number; hashes: string }>(
    db,
    `SELECT s.cluster_id AS clusterId, s.hashes FROM group_name_samples s
     JOIN clusters c ON c.id = s.cluster_id JOIN libraries l ON l.id = c.library_id
     WHERE c.library_id = ? AND s.run_id = l.current_run_id`,
  ).all(libraryId);
  return new Map(rows.map((r) => [r.clusterId, JSON.parse(r.hashes) as string[]]));
}

/** The suggestions to show: of the current run, for groups the user has not named. */
export function suggestedNames(db: Database, libraryId: number): Map<number, StoredNameSuggestion> {
  const rows = stmt<[number], { clusterId: number; name: string; photos: number; of: number }>(
    db,
    `SELECT s.cluster_id AS clusterId, s.name, s.photos, s.of_photos AS "of" FROM group_name_suggestions s
     JOIN clusters c ON c.id = s.cluster_id JOIN libraries l ON l.id = c.library_id
     WHERE c.library_id = ? AND c.user_named = 0 AND s.run_id = l.current_run_id`,
  ).all(libraryId);
  return new Map(rows.map((r) => [r.clusterId, r]));
}
