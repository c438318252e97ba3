/**
 * The service's commands for real (`node bin/photocluster.js ...`) on CIFAR-10 photos: cluster → rename → move →
 * merge → split → undo → redo → export, each printing the documented JSON, with the files checked on disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../core/paths.js';
import { sha256File } from './fixtures/images.js';
import { runCli } from './helpers/cli.js';

interface Listing {
  k: number;
  clusters: Array<{ id: number; name: string; size: number }>;
  assignments: Array<{ path: string; cluster: number; confidence: number | null }>;
}

const CLASSES = ['automobile', 'frog', 'ship'];
const PER_CLASS = 12;

describe('photocluster service commands', () => {
  let tmp: string;
  let folder: string;
  let db: string;
  let env: NodeJS.ProcessEnv;
  let listing: Listing;

  const cli = async (...args: string[]) => {
    const r = await runCli([...args, '--db', db, '--json'], { env });
    expect(r.stderr + r.stdout, args.join(' ')).not.toMatch(/Internal error/);
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout) as Listing & Record<string, unknown>;
  };

  beforeAll(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pc-cli-service-')));
    folder = path.join(tmp, 'photos');
    fs.mkdirSync(folder);
    for (const cls of CLASSES) {
      for (let i = 0; i < PER_CLASS; i++) {
        fs.copyFileSync(path.join(sharedDir(), 'datasets', 'cifar10-test', cls, `${String(i).padStart(4, '0')}.jpg`), path.join(folder, `${cls}-${i}.jpg`));
      }
    }
    db = path.join(tmp, 'data', 'library.db');
    env = { ...process.env, HOME: tmp, PHOTOCLUSTER_MODELS_URL: path.join(sharedDir(), 'models') };
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('cluster groups every photo and prints the documented JSON', async () => {
    // As on a machine without a usable graphics card and without a login session (no XDG_RUNTIME_DIR): the graphics
    // drivers' complaints while "automatic" looks for a card stay out of the command's output (webgpuProbe.ts).
    const { XDG_RUNTIME_DIR: _session, VK_ICD_FILENAMES: _driver, ...headless } = env;
    const run = await runCli(['cluster', folder, '--k', '3', '--mode', 'finetune', '--seed', '1', '--db', db, '--json'], { env: headless });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    listing = JSON.parse(run.stdout) as Listing;
    expect(listing.k).toBe(3);
    expect(listing.clusters).toHaveLength(3);
    expect(listing.assignments).toHaveLength(CLASSES.length * PER_CLASS);
    expect(listing.clusters.reduce((a, c) => a + c.size, 0)).toBe(CLASSES.length * PER_CLASS);
    for (const a of listing.assignments) {
      expect(listing.clusters.map((c) => c.id)).toContain(a.cluster);
      expect(a.confidence).toBeGreaterThan(0);
      expect(a.confidence).toBeLessThanOrEqual(1);
    }
    expect(Object.keys(listing).sort()).toEqual(['assignments', 'clusters', 'k']);
  }, 300_000);

  it('renames, moves, merges, splits, undoes and redoes', async () => {
    const [a, b, c] = listing.clusters;
    let out = await cli('rename', folder, String(a!.id), 'Cars', 'and', 'trucks');
    expect(out.clusters.find((x) => x.id === a!.id)?.name).toBe('Cars and trucks');

    const photo = listing.assignments.find((x) => x.cluster === b!.id)!.path;
    out = await cli('move', folder, String(a!.id), photo);
    expect(out.assignments.find((x) => x.path === photo)?.cluster).toBe(a!.id);

    out = await cli('merge', folder, String(a!.id), String(c!.id));
    expect(out.clusters.map((x) => x.id).sort()).toEqual([a!.id, b!.id].sort());
    expect(out.clusters.find((x) => x.id === a!.id)?.size).toBe(a!.size + c!.size + 1);

    out = await cli('split', folder, String(a!.id), '2');
    expect(out.clusters).toHaveLength(3);
    expect(out.clusters.reduce((s, x) => s + x.size, 0)).toBe(CLASSES.length * PER_CLASS);

    out = await cli('undo', folder);
    expect(out.clusters).toHaveLength(2);
    out = await cli('redo', folder);
    expect(out.clusters).toHaveLength(3);

    const bad = await runCli(['rename', folder, 'abc', 'x', '--db', db], { env });
    expect(bad.code).toBe(2);
    const missing = await runCli(['rename', folder, '999999', 'x', '--db', db], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no group 999999/);
  }, 120_000);

  it('exports copies into folders named after the groups, never touching the originals', async () => {
    const before = new Map(fs.readdirSync(folder).map((f) => [f, sha256File(path.join(folder, f))]));
    const dest = path.join(tmp, 'out');
    const dry = await cli('export', folder, '--to', dest, '--dry-run');
    expect(dry).toMatchObject({ dryRun: true, files: CLASSES.length * PER_CLASS, fits: true });
    expect(fs.existsSync(dest)).toBe(false);
    const result = await cli('export', folder, '--to', dest);
    expect(result).toMatchObject({ exported: CLASSES.length * PER_CLASS, skipped: 0 });
    expect(fs.existsSync(result.manifest as string)).toBe(true);
    // Run again into the same folder (say, after the laptop slept through the end): nothing is added, and it says so.
    const again = await runCli(['export', folder, '--to', dest, '--db', db], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^exported 0, ${CLASSES.length * PER_CLASS} already there, skipped 0, failed 0, 0\\.0 MB$`, 'm'));
    const groups = await cli('undo', folder).then(() => cli('redo', folder));
    for (const g of groups.clusters) {
      const files = fs.readdirSync(path.join(dest, g.name)).filter((f) => f.endsWith('.jpg'));
      expect(files, g.name).toHaveLength(g.size);
      for (const f of files) expect(sha256File(path.join(dest, g.name, f))).toBe(before.get(f));
    }
    for (const [f, h] of before) expect(sha256File(path.join(folder, f))).toBe(h);
  }, 120_000);
});
