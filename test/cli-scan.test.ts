import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeJpeg, writeFixture } from './fixtures/images.js';
import { CLI, NOBODY, REPO_ROOT, runCli, runCliAsUser } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const asRoot = process.getuid?.() === 0;

async function library(): Promise<{ dir: string; root: string; db: string }> {
  const dir = tempDir('pc-cli-');
  const root = path.join(dir, 'photos');
  writeFixture(root, 'a.jpg', await makeJpeg({ width: 64, height: 48, seed: 1 }));
  writeFixture(root, 'sub/b.jpg', await makeJpeg({ width: 64, height: 48, seed: 2 }));
  writeFixture(root, 'sub/b-copy.jpg', await makeJpeg({ width: 64, height: 48, seed: 2 }));
  const broken = await makeJpeg({ width: 200, height: 150, seed: 3 });
  writeFixture(root, 'broken.jpg', broken.subarray(0, 600));
  return { dir, root, db: path.join(dir, 'data', 'pc.db') };
}

describe('photocluster scan', () => {
  it('prints exactly the documented JSON and exits 0 despite per-file errors', async () => {
    const { root, db } = await library();
    const res = await runCli(['scan', root, '--db', db, '--json']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const out = JSON.parse(res.stdout);
    expect(Object.keys(out)).toEqual(['library', 'scanned', 'added', 'changed', 'moved', 'missing', 'duplicates', 'failed', 'errors']);
    expect(out).toMatchObject({ library: 1, scanned: 4, added: 3, changed: 0, moved: 0, missing: 0, duplicates: 1, failed: 1 });
    expect(out.errors).toEqual([{ path: 'broken.jpg', reason: expect.stringMatching(/truncated|damaged/) }]);
    expect(fs.existsSync(path.join(path.dirname(db), 'photocluster-cache', 'thumbs'))).toBe(true);

    fs.rmSync(path.join(root, 'a.jpg'));
    const again = JSON.parse((await runCli(['scan', root, '--db', db, '--json'])).stdout);
    expect(again).toMatchObject({ scanned: 3, added: 0, missing: 1, failed: 1 });
  });

  it('ends with a readable summary and draws no progress bar when not on a terminal', async () => {
    const { root, db } = await library();
    const res = await runCli(['scan', root, '--db', db]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Scanned 4 image files in .* in [\d.]+ s, [\d.]+ images\/s/);
    expect(res.stdout).toMatch(/new 3, changed 0, moved 0, missing 0, duplicates 1, failed 1/);
    expect(res.stdout).toMatch(/broken\.jpg: truncated/);
    expect(res.stderr).toBe('');
  });

  it('shows a progress bar on a terminal', async () => {
    const { root, db } = await library();
    // `script` gives the command a pseudo-terminal, as an interactive shell would.
    const cmd = [process.execPath, CLI, 'scan', root, '--db', db].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const out = execFileSync('script', ['-qec', cmd, '/dev/null'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(out).toMatch(/\[[#-]{24}\] +\d+% \d+\/4/);
    expect(out).toMatch(/new 3, changed 0/);
  });

  it('fails clearly for a missing folder, a bad --db and bad usage', async () => {
    const { dir, root, db } = await library();
    const missing = await runCli(['scan', path.join(dir, 'nope'), '--db', db, '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/folder not found: .*nope/);
    expect(missing.stdout).toBe('');
    expect(fs.existsSync(db)).toBe(false); // no stray database for a typo

    const asDir = await runCli(['scan', root, '--db', dir]);
    expect(asDir.code).toBe(1);
    expect(asDir.stderr).toMatch(/is a directory, not a database file/);

    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'shopping list: eggs, flour, milk, and a lot more text to fill a page '.repeat(30));
    const notDb = await runCli(['scan', root, '--db', text]);
    expect(notDb.code).toBe(1);
    expect(notDb.stderr).toMatch(/not a PhotoCluster database/);

    const underFile = await runCli(['scan', root, '--db', path.join(text, 'x.db')]);
    expect(underFile.code).toBe(1);
    expect(underFile.stderr).toMatch(/cannot create the directory/);

    const usage = await runCli(['scan']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/missing <folder>/);
  });

  it('records an unreadable file and refuses an unreadable folder (run unprivileged)', async () => {
    const { dir, root, db } = await library();
    fs.chmodSync(path.join(root, 'a.jpg'), 0o000);
    const locked = path.join(dir, 'locked');
    fs.mkdirSync(locked, { mode: 0o000 });
    fs.chmodSync(locked, 0o000);
    // Root reads mode-000 files, so as root the CLI runs as `nobody` over a world-readable tree.
    const scan = (args: string[]) => (asRoot ? runCliAsUser(NOBODY, args) : runCli(args));
    if (asRoot) {
      fs.chmodSync(dir, 0o755);
      fs.mkdirSync(path.dirname(db), { recursive: true });
      fs.chownSync(path.dirname(db), NOBODY, NOBODY);
    }
    const res = await scan(['scan', root, '--db', db, '--json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.errors).toContainEqual({ path: 'a.jpg', reason: 'cannot read the file: permission denied' });
    expect(out).toMatchObject({ added: 2, failed: 2 });

    const denied = await scan(['scan', locked, '--db', db, '--json']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/cannot read folder .*locked: permission denied/);
  });
});
