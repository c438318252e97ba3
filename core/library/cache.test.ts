import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../test/helpers/tmp.js';
import { ownProcessStart, processStart } from '../processIdentity.js';
import { prepareCacheDir, tempFileOwner, thumbnailPath, writeCacheFile } from './cache.js';

const HASH = 'ab'.repeat(32);

/** A temp name as a process with this pid and start stamp writes it. */
function tempName(pid: number, start: string | null): string {
  return `${pid}.${start === null ? 'nostart' : start.replace(':', '_')}.0123456789ab.tmp`;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('thumbnail cache temp files', () => {
  it('names each temp file after the writing process, pid and start', async () => {
    const cacheDir = tempDir();
    prepareCacheDir(cacheDir);
    const rename = vi.spyOn(fs.promises, 'rename');
    try {
      await writeCacheFile(cacheDir, thumbnailPath(cacheDir, HASH), new Uint8Array([1, 2, 3]));
      const temp = path.basename(String(rename.mock.calls[0]![0]));
      expect(tempFileOwner(temp)).toEqual({ pid: process.pid, start: ownProcessStart() });
    } finally {
      rename.mockRestore();
    }
    expect(fs.readFileSync(thumbnailPath(cacheDir, HASH))).toEqual(Buffer.from([1, 2, 3]));
  });

  it.runIf(process.platform === 'linux')('sweeps files of dead processes and of a pid now held by another process; keeps live writers', async () => {
    const cacheDir = tempDir();
    const tmp = path.join(cacheDir, 'tmp');
    fs.mkdirSync(tmp, { recursive: true });
    const mine = tempName(process.pid, ownProcessStart());
    const otherLive = tempName(1, processStart(1));
    // This process's pid, recorded by an earlier process that crashed before a reboot: same number, other start.
    const reused = tempName(process.pid, `${ownProcessStart()!.split(':')[0]}:1`);
    const dead = tempName(await deadPid(), null);
    const older = `${process.pid}-0123456789ab.tmp`;
    for (const name of [mine, otherLive, reused, dead, older, 'junk']) fs.writeFileSync(path.join(tmp, name), 'x');

    prepareCacheDir(cacheDir);

    expect(fs.readdirSync(tmp).sort()).toEqual([mine, otherLive].sort());
  });
});
