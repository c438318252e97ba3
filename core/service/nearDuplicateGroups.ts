/** Near-duplicate review groups of a library, from the cached 96×96 model inputs. */
import type { Database } from '../store/db.js';
import { okPhotoContents } from '../store/photos.js';
import type { NearDuplicateGroup } from '../api.js';
import { readModelInput } from '../library/index.js';
import { findNearDuplicates } from './nearDuplicates.js';

export async function nearDuplicateGroups(db: Database, cacheDir: string, libraryId: number, maxDistance: number): Promise<NearDuplicateGroup[]> {
  const rows = okPhotoContents(db, libraryId);
  const photos: Array<{ photoId: number; pixels: Uint8Array }> = [];
  for (const r of rows) {
    try {
      photos.push({ photoId: r.id, pixels: await readModelInput(cacheDir, r.content_hash) });
    } catch {
      // A cache entry lost since the scan only keeps this photo out of the review; the next scan restores it.
    }
  }
  return findNearDuplicates(photos, { maxDistance }).map((g) => ({
    photoIds: g.members.map((m) => m.photoId),
    representativeId: g.representative,
    maxDistance: g.maxDistance,
  }));
}
