/**
 * kill -9 in the middle of real exports, several times, then resume: no file exported twice, no partial file
 * visible, originals intact (copy) or deleted only once their export is verified (move).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { planExport, readManifest, STATE_DIR_NAME, type ExportMode, type ExportResult, type ExportSourceFile } from '../core/service/export/index.js';
import { exportInput, makeLibrary, noLinkFilesystem, otherFilesystem, removeDirs, sha256Of, tempDir, tempFiles, visibleExportedFiles } from './exportFixtures.js';

const CHILD = fileURLToPath(new URL('./exportChild.ts', import.meta.url));
const PHOTOS = 200;
const KILLS = 4;

const dirs: string[] = [];
afterEach(() => removeDirs(...dirs.splice(0)));

interface ChildRun {
  killed: boolean;
  result: ExportResult | null;
  lastFilesDone: number;
}

/** Runs the export in a child; once it reports `killAt` files done, SIGKILLs it a random few ms later. */
function runChild(args: object, killAt: number | null): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let result: ExportResult | null = null;
    let lastFilesDone = 0;
    let killScheduled = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = JSON.parse(out.slice(0, nl)) as { progress?: { filesDone: number }; result?: ExportResult };
        out = out.slice(nl + 1);
        if (line.result) result = line.result;
        if (line.progress) lastFilesDone = line.progress.filesDone;
        if (killAt !== null && !killScheduled && lastFilesDone >= killAt) {
          killScheduled = true;
          setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 15));
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true, result, lastFilesDone });
      else if (code === 0) resolve({ killed: false, result, lastFilesDone });
      else reject(new Error(`export child exited with ${code}: ${err}`));
    });
  });
}

/**
 * What must hold at every instant, including right after a kill. Without hard links a name is claimed by an empty
 * placeholder just before the copy is renamed over it, so a kill in between leaves an empty file (never a partial
 * photo) until the resume.
 */
function checkInvariants(destination: string, photos: ExportSourceFile[], mode: ExportMode, allowPlaceholders = false): void {
  const known = new Map(photos.map((p) => [p.sha256!, p]));
  const seen = new Set<string>();
  for (const rel of visibleExportedFiles(destination)) {
    if (allowPlaceholders && fs.statSync(path.join(destination, rel)).size === 0) continue;
    const hash = sha256Of(path.join(destination, rel));
    expect(known.has(hash), `partial or foreign file visible: ${rel}`).toBe(true);
    expect(seen.has(hash), `exported twice: ${rel}`).toBe(false);
    seen.add(hash);
  }
  if (mode === 'move') {
    for (const p of photos) {
      if (!fs.existsSync(p.sourcePath)) expect(seen.has(p.sha256!), `original deleted without its export: ${p.sourcePath}`).toBe(true);
    }
  }
}

async function crashAndResume(mode: ExportMode, libraryBase: string | undefined, destinationBase?: string): Promise<void> {
  const lib = tempDir('crash-lib', libraryBase);
  const destination = path.join(tempDir('crash-dst', destinationBase), 'Export');
  dirs.push(lib, path.dirname(destination));
  const photos = makeLibrary(lib, PHOTOS, { folders: 3, size: () => 150_000 + Math.floor(Math.random() * 200_000) });
  const input = exportInput(destination, mode, { Beach: photos.slice(0, 120), 'Mountains: 2023': photos.slice(120) });
  const { exportId } = await planExport(input);

  let done = 0;
  let kills = 0;
  let final: ExportResult | null = null;
  for (let attempt = 0; attempt < KILLS + 3 && !final; attempt++) {
    const killAt = kills < KILLS ? done + 1 + Math.floor(Math.random() * (PHOTOS / (KILLS + 1))) : null;
    // Alternate the two ways back in: re-running the same input, and resuming by id.
    const args = attempt % 2 === 0 ? { input } : { destination, exportId };
    const run = await runChild(args, killAt);
    if (run.killed) {
      kills++;
      // Every run gets further than the last one had finished: resume never starts over.
      expect(run.lastFilesDone).toBeGreaterThanOrEqual(done);
      done = run.lastFilesDone;
      checkInvariants(destination, photos, mode, destinationBase !== undefined);
    } else {
      final = run.result;
    }
  }

  expect(kills).toBeGreaterThanOrEqual(2);
  expect(final).toMatchObject({ exportId, exported: PHOTOS, skipped: 0, failed: 0 });
  checkInvariants(destination, photos, mode);
  expect(visibleExportedFiles(destination)).toHaveLength(PHOTOS);
  expect(tempFiles(destination)).toEqual([]);
  expect(fs.readdirSync(path.join(destination, STATE_DIR_NAME)).filter((n) => n.endsWith('.lock') || n.endsWith('.tmp'))).toEqual([]);
  const manifest = await readManifest(final!.manifest);
  expect(manifest.entries).toHaveLength(PHOTOS);
  for (const e of manifest.entries) expect(sha256Of(e.exportedPath!)).toBe(e.sha256);
  for (const p of photos) {
    if (mode === 'move') expect(fs.existsSync(p.sourcePath)).toBe(false);
    else expect(sha256Of(p.sourcePath)).toBe(p.sha256);
  }
}

describe('export survives kill -9', () => {
  it('copy: resumes to one intact copy of each photo, originals unchanged', async () => {
    await crashAndResume('copy', undefined);
  });

  it('move within one filesystem: an original disappears only once its export holds it', async () => {
    await crashAndResume('move', undefined);
  });

  it.skipIf(!otherFilesystem())('move across filesystems: originals deleted only after a verified copy', async () => {
    await crashAndResume('move', otherFilesystem()!);
  });

  it.skipIf(!noLinkFilesystem())('copy to a filesystem without hard links (exFAT): same guarantees', async () => {
    await crashAndResume('copy', undefined, noLinkFilesystem()!);
  });
});
