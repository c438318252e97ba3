import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedDir } from '../paths.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cifar = path.join(sharedDir(), 'datasets', 'cifar10-test');

function run(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(repo, 'bin', 'photocluster.js'), ...args], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Two CIFAR-10 classes, 6 images each, plus one file that is not an image despite its name. */
function tinyFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-cli-train-'));
  for (const cls of ['airplane', 'frog']) {
    fs.mkdirSync(path.join(dir, cls));
    for (let i = 0; i < 6; i++) {
      const name = `${String(i).padStart(4, '0')}.jpg`;
      fs.copyFileSync(path.join(cifar, cls, name), path.join(dir, cls, name));
    }
  }
  fs.writeFileSync(path.join(dir, 'frog', 'broken.jpg'), 'this is not a jpeg');
  return dir;
}

describe('photocluster train', () => {
  it('trains on a class-per-folder directory and prints the JSON result', () => {
    const dir = tinyFolder();
    const r = run(['train', dir, '--k', '2', '--epochs', '1', '--backend', 'wasm', '--seed', '3', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(['assignments', 'backend', 'device', 'epochs', 'errors', 'images', 'k', 'kSuggested', 'metrics', 'seconds']);
    expect(out).toMatchObject({ backend: 'wasm', k: 2, kSuggested: null, epochs: 1, images: 12 });
    expect(out.seconds).toBeGreaterThan(0);
    for (const key of ['acc', 'nmi', 'nmiGeometric', 'ari']) expect(typeof out.metrics[key]).toBe('number');
    expect(out.metrics.acc).toBeGreaterThanOrEqual(0.5);
    expect(out.assignments).toHaveLength(12);
    expect(out.assignments[0]).toEqual({ path: 'airplane/0000.jpg', cluster: expect.any(Number), confidence: expect.any(Number) });
    for (const a of out.assignments) {
      expect([0, 1]).toContain(a.cluster);
      expect(a.confidence).toBeGreaterThanOrEqual(0.5);
      expect(a.confidence).toBeLessThanOrEqual(1);
    }
    expect(out.errors).toEqual([{ path: 'frog/broken.jpg', reason: expect.any(String) }]);
    expect(r.stderr).toMatch(/backend: wasm/);
  });

  it('without enough memory for 96 px, says so in plain words with the option to use, before training', () => {
    const r = run(['train', tinyFolder(), '--k', '2', '--size', '96', '--backend', 'wasm', '--json'], { PHOTOCLUSTER_MEMORY_MB: '1500' });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('photocluster train: There is not enough memory to train at 96 px on the processor; use --size 32 or 64.\n');
    expect(r.stderr).toMatch(/ {2}details: 96 px, 64 rows a shard \(stage by stage\), 28 images a pass: needs about \d+\.\d GB; this computer has 1\.5 GB to spare for it/);
    expect(r.stderr).not.toMatch(/out of bounds|Aborted|epoch 1/);
  });

  it('omits metrics when the folder has no class sub-folders', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-cli-flat-'));
    for (let i = 0; i < 4; i++) fs.copyFileSync(path.join(cifar, 'ship', `000${i}.jpg`), path.join(dir, `ship${i}.jpg`));
    const r = run(['train', dir, '--k', '2', '--epochs', '1', '--backend', 'wasm', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.metrics).toBeUndefined();
    expect(out.images).toBe(4);
  });

  it('finetune mode with --k auto suggests K from backbone features and scores well on three classes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-cli-ft-'));
    for (const cls of ['airplane', 'frog', 'truck']) {
      fs.mkdirSync(path.join(dir, cls));
      for (let i = 0; i < 20; i++) {
        const name = `${String(i).padStart(4, '0')}.jpg`;
        fs.copyFileSync(path.join(cifar, cls, name), path.join(dir, cls, name));
      }
    }
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-cli-ft-data-'));
    // The backbone is "downloaded" from the shared models folder into a fresh data dir, never from the network.
    const env = { PHOTOCLUSTER_DATA_DIR: dataDir, PHOTOCLUSTER_MODELS_URL: path.join(sharedDir(), 'models') };
    const r = run(['train', dir, '--mode', 'finetune', '--k', 'auto', '--backend', 'wasm', '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.kSuggested).toBe(out.k);
    expect(Math.abs(out.k - 3)).toBeLessThanOrEqual(2);
    expect(out.images).toBe(60);
    expect(out.metrics.acc).toBeGreaterThan(0.55);
    expect(new Set(out.assignments.map((a: { cluster: number }) => a.cluster)).size).toBe(out.k);
    expect(r.stderr).toMatch(/Suggested \d+ groups/);
    // 60 photos: the k-means groups of the backbone's features, no network trained (finetune.ts, trainFromKmeansStart).
    expect(out.epochs).toBe(0);
    expect(r.stderr).toMatch(/grouped by how alike they look/);
  }, 300_000);

  it('rejects bad usage with exit code 2', () => {
    expect(run(['train', '/nonexistent']).status).toBe(2);
    expect(run(['train', '/tmp', '--k', '3', '--size', '48']).status).toBe(2);
    expect(run(['train', '/tmp', '--k', '3', '--backend', 'tpu']).status).toBe(2);
  });
});
