import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobCancelled } from './jobManager.js';
import { forkWorker, MlHost, WorkerCrashed } from './mlHost.js';

const TASKS = path.resolve(import.meta.dirname, '../../test/fixtures/workerTasks.ts');

describe('MlHost with a real worker process', () => {
  it('runs tasks, passes typed arrays both ways and reports progress', async () => {
    const host = new MlHost(() => forkWorker(TASKS));
    const progress: string[] = [];
    const r = await host.run<{ pid: number; sum: number; values: Float32Array }>('echo', { values: new Float32Array([1, 2, 3.5]) }, { onProgress: (p) => progress.push(p.phase) });
    expect(r.sum).toBe(6.5);
    expect(r.values).toBeInstanceOf(Float32Array);
    expect(r.pid).not.toBe(process.pid);
    expect(progress).toEqual(['echo']);
    await expect(host.run('fail', {})).rejects.toThrow('the model diverged');
    await expect(host.run('nope', {})).rejects.toThrow(/unknown ML task/);
    host.stop();
  });

  it('cancels a running task', async () => {
    const host = new MlHost(() => forkWorker(TASKS));
    const controller = new AbortController();
    const running = host.run('spin', { steps: 10_000 }, { signal: controller.signal, onProgress: (p) => p.done === 5 && controller.abort() });
    await expect(running).rejects.toBeInstanceOf(JobCancelled);
    expect(await host.run('echo', { values: new Float32Array([1]) })).toMatchObject({ sum: 1 });
    host.stop();
  });

  it('survives the worker being killed mid-task and starts a fresh one', async () => {
    const host = new MlHost(() => forkWorker(TASKS));
    let killed = false;
    const running = host.run('spin', { steps: 10_000 }, {
      onProgress: (p) => {
        if (p.done === 3 && !killed) {
          killed = true;
          process.kill(host.pid!, 'SIGKILL');
        }
      },
    });
    await expect(running).rejects.toBeInstanceOf(WorkerCrashed);
    await expect(running).rejects.toThrow(/SIGKILL/);
    const firstPid = (await host.run<{ pid: number }>('spin', { steps: 1 })).pid;
    expect(host.restartCount).toBe(1);
    await expect(host.run('exit', {})).rejects.toThrow(/exit code 3/);
    const secondPid = (await host.run<{ pid: number }>('spin', { steps: 1 })).pid;
    expect(secondPid).not.toBe(firstPid);
    host.stop();
  });
});
