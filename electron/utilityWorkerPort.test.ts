import path from 'node:path';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MlHost, WorkerCrashed } from '../core/service/mlHost.js';
import { forkStandIn } from './testSupport/utilityProcessStandIn.js';
import { createUtilityWorkerSpawner, describeExit, ML_SERVICE_NAME, TASKS_FLAG, type ForkLike, type UtilityProcessLike } from './utilityWorkerPort.js';
import { tasksModuleFromArgv } from './utilityWorker.js';

const ENTRY = path.resolve(import.meta.dirname, 'ml-host.ts');
const TASKS = path.resolve(import.meta.dirname, '../test/fixtures/workerTasks.ts');

describe('the ML worker in a utility process (plain-Node stand-in for utilityProcess.fork)', () => {
  it('runs tasks through the real entry file, with typed arrays and progress', async () => {
    const spawner = createUtilityWorkerSpawner({ fork: forkStandIn, entry: ENTRY, tasksModule: TASKS, goneGraceMs: 20 });
    const host = new MlHost(spawner.spawn);
    const phases: string[] = [];
    const r = await host.run<{ pid: number; sum: number; values: Float32Array }>('echo', { values: new Float32Array([1, 2, 3.5]) }, { onProgress: (p) => phases.push(p.phase) });
    expect(r.sum).toBe(6.5);
    expect(r.values).toBeInstanceOf(Float32Array);
    expect(r.pid).not.toBe(process.pid);
    expect(phases).toEqual(['echo']);
    await expect(host.run('fail', {})).rejects.toThrow('the model diverged');
    host.stop();
  });

  it('fails the running job when the worker dies and starts a fresh worker for the next one', async () => {
    const spawner = createUtilityWorkerSpawner({ fork: forkStandIn, entry: ENTRY, tasksModule: TASKS, goneGraceMs: 20 });
    const host = new MlHost(spawner.spawn);
    const first = (await host.run<{ pid: number }>('spin', { steps: 1 })).pid;
    await expect(host.run('exit', {})).rejects.toThrow(/exit code 3/);
    const second = (await host.run<{ pid: number }>('spin', { steps: 1 })).pid;
    expect(second).not.toBe(first);
    expect(host.restartCount).toBe(1);
    host.stop();
  });

  it("names an out-of-memory kill from Electron's child-process-gone details", async () => {
    const spawner = createUtilityWorkerSpawner({ fork: forkStandIn, entry: ENTRY, tasksModule: TASKS, goneGraceMs: 100 });
    const host = new MlHost(spawner.spawn);
    let killed = false;
    const running = host.run('spin', { steps: 10_000 }, {
      onProgress: (p) => {
        if (p.done !== 3 || killed) return;
        killed = true;
        process.kill(host.pid!, 'SIGKILL');
        // Another utility process's death must not be blamed on this one.
        spawner.noteGone({ type: 'Utility', reason: 'crashed', exitCode: 1, serviceName: 'Audio Service' });
        spawner.noteGone({ type: 'Utility', reason: 'oom', exitCode: 137, serviceName: ML_SERVICE_NAME });
      },
    });
    await expect(running).rejects.toBeInstanceOf(WorkerCrashed);
    await expect(running).rejects.toThrow(/ran out of memory \(exit code 137\)/);
    expect(await host.run('echo', { values: new Float32Array([2]) })).toMatchObject({ sum: 2 });
    host.stop();
  });

  it('fails clearly when the task module cannot be loaded, with the reason in the log', async () => {
    const log: string[] = [];
    const spawner = createUtilityWorkerSpawner({ fork: forkStandIn, entry: ENTRY, tasksModule: path.join(import.meta.dirname, 'no-such-tasks.js'), goneGraceMs: 20, log: (l) => log.push(l) });
    const host = new MlHost(spawner.spawn);
    await expect(host.run('echo', {})).rejects.toThrow(/exit code 70/);
    expect(log.join('\n')).toMatch(/ml: ml-host: .*no-such-tasks/);
    host.stop();
  });
});

describe('createUtilityWorkerSpawner (event plumbing)', () => {
  function fakeFork() {
    const made: Array<{ proc: UtilityProcessLike & EventEmitter; args: string[]; options: unknown; posted: unknown[]; killed: number }> = [];
    const fork: ForkLike = (_modulePath, args, options) => {
      const emitter = new EventEmitter();
      const rec = { proc: null as unknown as UtilityProcessLike & EventEmitter, args, options, posted: [] as unknown[], killed: 0 };
      rec.proc = Object.assign(emitter, {
        pid: 4242,
        stdout: null,
        stderr: null,
        postMessage: (m: unknown) => void rec.posted.push(m),
        kill: () => (rec.killed++, true),
      }) as unknown as UtilityProcessLike & EventEmitter;
      made.push(rec);
      return rec.proc;
    };
    return { fork, made };
  }

  it('passes the task module on the command line and names the service', () => {
    const { fork, made } = fakeFork();
    createUtilityWorkerSpawner({ fork, entry: '/app/electron/ml-host.js', tasksModule: '/app/core/ml/worker/tasks.js' }).spawn();
    expect(made[0]!.args).toEqual([`${TASKS_FLAG}/app/core/ml/worker/tasks.js`]);
    expect(made[0]!.options).toMatchObject({ serviceName: ML_SERVICE_NAME });
    expect(tasksModuleFromArgv(['/electron', '/app/electron/ml-host.js', ...made[0]!.args])).toBe('/app/core/ml/worker/tasks.js');
    expect(() => tasksModuleFromArgv(['/electron'])).toThrow(TASKS_FLAG);
  });

  it('stops sending and killing once the process has exited, and reports the exit once', async () => {
    const { fork, made } = fakeFork();
    const port = createUtilityWorkerSpawner({ fork, entry: 'e', tasksModule: 't', goneGraceMs: 5 }).spawn();
    const reasons: string[] = [];
    port.onExit((r) => reasons.push(r));
    port.send({ type: 'cancel', taskId: 1 });
    made[0]!.proc.emit('error', 'FatalError', 'v8::ToLocalChecked');
    made[0]!.proc.emit('exit', 5);
    port.send({ type: 'cancel', taskId: 2 });
    port.kill();
    await new Promise((r) => setTimeout(r, 20));
    expect(made[0]!.posted).toEqual([{ type: 'cancel', taskId: 1 }]);
    expect(made[0]!.killed).toBe(0);
    expect(reasons).toEqual(['exit code 5, FatalError at v8::ToLocalChecked']);
    // A late listener still learns why.
    port.onExit((r) => reasons.push(r));
    expect(reasons).toHaveLength(2);
  });
});

describe('describeExit', () => {
  it("explains each of Electron's reasons", () => {
    const gone = (reason: string, exitCode = 9) => ({ type: 'Utility', reason, exitCode, serviceName: ML_SERVICE_NAME });
    expect(describeExit(1, null, null)).toBe('exit code 1');
    expect(describeExit(137, gone('oom'), null)).toMatch(/out of memory/);
    expect(describeExit(139, gone('crashed'), null)).toMatch(/^crashed/);
    expect(describeExit(137, gone('killed'), null)).toMatch(/killed/);
    expect(describeExit(0, gone('launch-failed', 1455), null)).toMatch(/could not be started \(error 1455\)/);
  });
});

describe('runUtilityWorker', () => {
  it('keeps messages that arrive while the task module is still loading', async () => {
    const { runUtilityWorker } = await import('./utilityWorker.js');
    const { tasks } = await import('../test/fixtures/workerTasks.js');
    let onMessage: ((e: { data: unknown }) => void) | null = null;
    const posted: Array<{ type: string }> = [];
    let release!: () => void;
    const loaded = new Promise<void>((r) => (release = r));
    const running = runUtilityWorker(
      { on: (_e, l) => (onMessage = l), postMessage: (m) => void posted.push(m as { type: string }) },
      [`${TASKS_FLAG}/somewhere/tasks.js`],
      async () => (await loaded, { tasks }),
    );
    onMessage!({ data: { type: 'run', taskId: 1, task: 'echo', payload: { values: new Float32Array([4]) } } });
    release();
    await running;
    await new Promise((r) => setTimeout(r, 20));
    expect(posted.map((m) => m.type)).toEqual(['ready', 'progress', 'done']);
  });
});
