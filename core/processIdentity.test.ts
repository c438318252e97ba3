import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownProcessStart, processAlive, processStart, recordedProcessAlive } from './processIdentity.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A live process that is not this one, optionally run under another executable name. */
async function sleeper(executable = process.execPath): Promise<ChildProcess> {
  const child = spawn(executable, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  return child;
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
}

describe('process identity', () => {
  it('tells live pids from dead ones; with no start recorded the pid is all it checks', async () => {
    const child = await sleeper();
    expect(processAlive(process.pid)).toBe(true);
    expect(recordedProcessAlive(child.pid!, null)).toBe(true);
    child.kill('SIGKILL');
    await exited(child);
    expect(processAlive(child.pid!)).toBe(false);
    expect(recordedProcessAlive(child.pid!, null)).toBe(false);
  });

  describe.runIf(process.platform === 'linux')('on Linux, where a start time can be read', () => {
    it('stamps each process with its boot and start time', async () => {
      const child = await sleeper();
      const mine = ownProcessStart();
      const its = processStart(child.pid!);
      expect(mine).toMatch(/^[0-9a-f-]{36}:\d+$/);
      expect(its).toMatch(/^[0-9a-f-]{36}:\d+$/);
      expect(its!.split(':')[0]).toBe(mine!.split(':')[0]);
      expect(processStart(process.pid)).toBe(mine);
    });

    it('treats a live pid with another start as a different process (a reused pid)', async () => {
      const child = await sleeper();
      const start = processStart(child.pid!);
      expect(recordedProcessAlive(child.pid!, start)).toBe(true);
      // What a record of a crashed process looks like once another program has been given its pid.
      expect(recordedProcessAlive(child.pid!, ownProcessStart())).toBe(false);
      child.kill('SIGKILL');
      await exited(child);
      expect(recordedProcessAlive(child.pid!, start)).toBe(false);
      expect(processStart(child.pid!)).toBeNull();
    });

    it('reads the start of a process whose name holds spaces and parentheses', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-comm-'));
      try {
        const odd = path.join(dir, 'a) b (c');
        fs.symlinkSync(process.execPath, odd);
        const child = await sleeper(odd);
        expect(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8')).toContain('(a) b (c)');
        const start = processStart(child.pid!);
        expect(start).toMatch(/^[0-9a-f-]{36}:\d+$/);
        expect(recordedProcessAlive(child.pid!, start)).toBe(true);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
