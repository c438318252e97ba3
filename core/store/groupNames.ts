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

/** Replaces the library's suggestions with those of run `runId` (groups without one get none). */
export function recordNameSuggestions(db: Database, libraryId: number, runId: number, suggestions: readonly StoredNameSuggestion[]): void {
  db.transaction(() => {
    stmt(db, `DELETE FROM group_name_suggestions WHERE cluster_id IN (SELECT id FROM clusters WHERE library_id = ?)`).run(libraryId);
    const insert = stmt(db, `INSERT INTO group_name_suggestions (cluster_id, run_id, name, photos, of_photos) VALUES (?, ?, ?, ?, ?)`);
    for (const s of suggestions) insert.run(s.clusterId, runId, s.name, s.photos, s.of);
  })();
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
