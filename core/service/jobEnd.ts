import type { JobInfo } from '../api.js';
import type { Service } from './types.js';

const ended = (j: JobInfo): boolean => j.state !== 'queued' && j.state !== 'running';

/** Resolves with `job` as it is once it is neither queued nor running (done, failed, cancelled or interrupted). */
export async function jobEnd(service: Service, job: JobInfo): Promise<JobInfo> {
  // Subscribe before asking, so the end of a job that finishes in between is not missed.
  let off = (): void => {};
  const end = new Promise<JobInfo>((resolve) => {
    off = service.on('job', (j) => {
      if (j.id === job.id && ended(j)) resolve(j);
    });
  });
  try {
    const now = await service.getJob({ jobId: job.id });
    return ended(now) ? now : await end;
  } finally {
    off();
  }
}
