/**
 * Which process a record belongs to, beyond its pid. Pids are reused — after a reboot almost surely — so "process
 * 1234 is scanning" left behind by a crash must also say *which* process 1234, or an unrelated program that got the
 * same pid keeps a dead scan or export looking alive and blocks the user's next one.
 */
import fs from 'node:fs';

/** Whether a process with this id exists (EPERM means it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function bootId(): string | null {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * When the process started, as an opaque string that differs for two processes ever given the same pid: on Linux the
 * boot id and the start time in clock ticks since boot (/proc/<pid>/stat field 22). Null where that cannot be read
 * (other systems, or the process is gone): callers then have only the pid to go by.
 */
export function processStart(pid: number): string | null {
  const boot = bootId();
  if (boot === null) return null;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = fields[22 - 3];
  return startTicks ? `${boot}:${startTicks}` : null;
}

let ownStart: string | null | undefined;

/** This process's start stamp, to record next to its pid. */
export function ownProcessStart(): string | null {
  if (ownStart === undefined) ownStart = processStart(process.pid);
  return ownStart;
}

/**
 * Whether the process recorded as `pid` (started at `start`, when that was recorded) still runs. A live pid with a
 * different start is another program that was given the same number.
 */
export function recordedProcessAlive(pid: number, start: string | null | undefined): boolean {
  if (!processAlive(pid)) return false;
  if (start == null) return true;
  const now = processStart(pid);
  return now === null || now === start;
}
