import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { JobInfo, LibraryInfo, RunInfo } from '../../../core/api.js';
import { EmptyState, ErrorNote, Loading, ProgressBar } from '../components/common.js';
import { TrainingChart } from '../components/TrainingChart.js';
import { errorMessage, useApi, useEpochs, useNotices } from '../data/context.js';
import { qk } from '../data/keys.js';
import { useJobs, useLibrary, useRuns } from '../data/queries.js';
import { addEpoch } from '../lib/chart.js';
import { formatDateTime, formatDuration, plural } from '../lib/format.js';
import { isActive, jobKindLabel } from '../lib/jobs.js';
import { plainReason } from '../lib/plainReason.js';
import { epochOfMessage, rescanSummary, runFromJobs, stageStateLabel, visibleStages } from '../lib/runProgress.js';
import { GroupAgainDialog } from '../components/GroupAgainDialog.js';
import { formatRoute } from '../lib/route.js';

/** Why a job failed, in words that say what to do about it. */
export function failureAdvice(job: JobInfo): string {
  const error = job.error ?? '';
  if (/download|backbone|weights|model file|sha256/i.test(error)) {
    return 'The pretrained model could not be downloaded. Check the internet connection and press Retry, or open Settings and choose "from scratch", which needs no download.';
  }
  if (/out of memory|oom/i.test(error)) return 'The computer ran out of memory. Close other programs, or choose a smaller backbone in Settings, then Retry.';
  if (job.state === 'interrupted') return 'PhotoCluster stopped before this job finished. Resume continues where it left off.';
  return 'Press Retry to run it again. If it fails the same way, the details above help to report it.';
}

export function ActivityView({ libraryId }: { libraryId: number }) {
  const library = useLibrary(libraryId);
  const jobs = useJobs(libraryId);
  if (library.isPending || jobs.isPending) return <Loading />;
  if (library.isError) return <ErrorNote error={library.error} retry={() => void library.refetch()} />;
  if (jobs.isError) return <ErrorNote error={jobs.error} retry={() => void jobs.refetch()} />;
  return (
    <div className="view activity-view">
      <LibraryHeader library={library.data} jobs={jobs.data} />
      <Phases jobs={jobs.data} libraryId={libraryId} grouped={library.data.clusterCount > 0} />
      <LibraryState library={library.data} jobs={jobs.data} />
      <TrainingSection libraryId={libraryId} jobs={jobs.data} />
      <ScanErrors library={library.data} />
      <JobList jobs={jobs.data} />
    </div>
  );
}

function LibraryHeader({ library, jobs }: { library: LibraryInfo; jobs: JobInfo[] }) {
  const api = useApi();
  const qc = useQueryClient();
  const { notify } = useNotices();
  const [asking, setAsking] = useState(false);
  const busy = jobs.some(isActive);
  const run = (f: () => Promise<unknown>) => void f().catch((err) => notify(errorMessage(err), { tone: 'error' }));
  return (
    <header className="view-header">
      <div>
        <h2>{library.name}</h2>
        <p className="muted path">{library.root}</p>
        <p>
          {plural(library.photoCount, 'photo')} · {plural(library.clusterCount, 'group')} · last scanned {formatDateTime(library.lastScanAt)}
        </p>
      </div>
      <div className="row">
        {library.clusterCount > 0 && (
          <a className="button primary" href={formatRoute({ view: 'groups', libraryId: library.id })}>
            See the groups
          </a>
        )}
        <button type="button" disabled={busy} onClick={() => run(() => api.scanLibrary({ libraryId: library.id }).then(() => qc.invalidateQueries({ queryKey: qk.jobs(library.id) })))}>
          Re-scan folder
        </button>
        <button type="button" className={library.clusterCount > 0 ? '' : 'primary'} disabled={busy} onClick={() => setAsking(true)}>
          {library.clusterCount > 0 ? 'Group again…' : 'Group photos…'}
        </button>
      </div>
      {asking && <GroupAgainDialog library={library} onClose={() => setAsking(false)} />}
    </header>
  );
}

function Phases({ jobs, libraryId, grouped }: { jobs: JobInfo[]; libraryId: number; grouped: boolean }) {
  const api = useApi();
  const { notify } = useNotices();
  const run = runFromJobs(jobs);
  useShowGroupsWhenDone(libraryId, run.finished, run.jobIds.at(-1) ?? null);
  if (run.jobIds.length === 0) return null;
  const stopped = run.stopped;
  const summary = run.rescanFinished ? rescanSummary(run.rescanOutcome, grouped) : null;
  return (
    <section aria-labelledby="phases-heading" className="card">
      <h3 id="phases-heading">{run.finished || run.rescanFinished ? 'Done' : stopped ? 'Stopped' : 'Progress'}</h3>
      <ol className="phases">
        {visibleStages(run, grouped).map((s) => (
          <li key={s.key} className={`phase phase-${s.state}`} aria-current={s.state === 'running' ? 'step' : undefined} data-stage={s.key}>
            <span className="phase-label">{s.label}</span>
            <span className="phase-state">{stageStateLabel(s.state)}</span>
            {s.state === 'running' && (
              <>
                {s.done !== null && s.total !== null ? (
                  <ProgressBar label={`${s.label} progress`} done={s.done} total={s.total} etaSeconds={s.etaSeconds} showCounts={s.unit === 'photos'} />
                ) : (
                  <ProgressBar label={s.label} done={0} total={0} />
                )}
                {s.detail && <p className="muted stage-detail">{s.detail}</p>}
              </>
            )}
          </li>
        ))}
      </ol>
      {summary && <p className="rescan-summary">{summary}</p>}
      {run.activeJob && (
        <button type="button" onClick={() => void api.cancelJob({ jobId: run.activeJob!.id }).catch((err) => notify(errorMessage(err), { tone: 'error' }))}>
          Cancel
        </button>
      )}
      {stopped && (stopped.state === 'failed' || stopped.state === 'interrupted') && (
        <div className="error-note" role="alert">
          <p>
            <strong>{stopped.state === 'interrupted' ? 'PhotoCluster stopped before this finished.' : 'This could not be finished.'}</strong>
          </p>
          <p>{failureAdvice(stopped)}</p>
          {stopped.error && (
            <details>
              <summary>Details</summary>
              <p className="path">{stopped.error}</p>
            </details>
          )}
          <div className="row">
            <button type="button" onClick={() => void api.resumeJob({ jobId: stopped.id }).catch((err) => notify(errorMessage(err), { tone: 'error' }))}>
              {stopped.state === 'interrupted' ? 'Resume' : 'Retry'}
            </button>
            <a className="button" href={formatRoute({ view: 'settings' })}>
              Settings
            </a>
          </div>
        </div>
      )}
    </section>
  );
}

/** When a grouping run this page watched finishes, the groups are what the user wants to see next. */
function useShowGroupsWhenDone(libraryId: number, finished: boolean, lastJobId: number | null): void {
  const watched = useRef<{ jobId: number | null; finished: boolean } | null>(null);
  useEffect(() => {
    const before = watched.current;
    watched.current = { jobId: lastJobId, finished };
    if (before && before.jobId === lastJobId && !before.finished && finished) window.location.hash = formatRoute({ view: 'groups', libraryId });
  }, [libraryId, finished, lastJobId]);
}

function LibraryState({ library, jobs }: { library: LibraryInfo; jobs: JobInfo[] }) {
  const scanning = jobs.some((j) => isActive(j));
  const scanned = library.lastScanAt !== null;
  if (!scanned || scanning) return null;
  if (library.photoCount === 0) {
    return (
      <EmptyState title="No photos found">
        <p>
          PhotoCluster found no pictures in <code>{library.root}</code>. It reads JPEG, PNG, WebP, GIF, TIFF and HEIC files in the folder and all its sub-folders.
        </p>
        <p>Put photos there (or choose another folder on the Libraries page), then press Re-scan folder.</p>
      </EmptyState>
    );
  }
  if (library.failedCount >= library.photoCount) {
    return (
      <EmptyState title="None of the files could be read" tone="error">
        <p>
          All {plural(library.failedCount, 'file')} in this folder failed to open; the reasons are listed below. They may be damaged, still downloading from a cloud drive, or in a format PhotoCluster
          cannot read.
        </p>
        <p>Fix or replace them, then press Re-scan folder.</p>
      </EmptyState>
    );
  }
  return null;
}

function TrainingSection({ libraryId, jobs }: { libraryId: number; jobs: JobInfo[] }) {
  const training = jobs.find((j) => j.kind === 'cluster' && isActive(j)) ?? null;
  const live = useEpochs(training?.id ?? null);
  const runs = useRuns(libraryId);
  const current = runs.data?.find((r) => r.isCurrent) ?? runs.data?.find((r) => r.finishedAt !== null) ?? null;
  // After a reload mid-training, the epochs so far come from the unfinished run, which the core records as they end.
  const unfinished = runs.data?.find((r) => r.finishedAt === null) ?? null;
  const epochs = training ? (unfinished ? live.reduce(addEpoch, unfinished.lossHistory) : live) : (current?.lossHistory ?? []);
  // Progress counts training steps; the chart's axis is passes over the photos (epochs), which the message names.
  const totalEpochs = epochOfMessage(training?.progress?.message)?.of ?? (training ? null : epochs.length || null);
  if (!training && !current) return null;
  return (
    <>
      {!training && current && <RunSummary run={current} />}
      <details className="card advanced" data-testid="advanced">
        <summary>Advanced: how the groups were made</summary>
        {current && (
          <dl className="facts">
            <dt>Method</dt>
            <dd>{methodOf(current)}</dd>
            {current.backbone && (
              <>
                <dt>Model (backbone)</dt>
                <dd>{current.backbone}</dd>
              </>
            )}
            <dt>Computed on</dt>
            <dd>{current.device ?? current.backend}</dd>
            <dt>Number of groups</dt>
            <dd>
              {current.k}
              {current.kSuggested !== null && current.config.k === 'auto' ? ' (chosen automatically)' : ''}
              {current.kReasoning && <> · {current.kReasoning}</>}
            </dd>
            {current.partitionNote && (
              <>
                <dt>{trainsNetwork(current) ? 'Which grouping was kept' : 'How the groups were made'}</dt>
                <dd>{current.partitionNote}</dd>
              </>
            )}
            {current.learnedFrom && (
              <>
                <dt>Learned from</dt>
                <dd>{placedByHand(current.learnedFrom)}</dd>
              </>
            )}
          </dl>
        )}
        {training || epochs.length > 0 || !current || trainsNetwork(current) ? (
          <>
            <h3 id="training-heading">{training ? 'Training now (loss per epoch)' : 'Last training run (loss per epoch)'}</h3>
            <TrainingChart epochs={epochs} totalEpochs={totalEpochs} />
          </>
        ) : (
          <p className="muted">No network was trained for these groups, so there is no training chart.</p>
        )}
      </details>
    </>
  );
}

/** Whether a run trained a network (runs recorded before groupsFrom was kept did). */
function trainsNetwork(run: RunInfo): boolean {
  return run.groupsFrom !== 'kmeans' && run.groupsFrom !== 'guided';
}

/** The Method line under Advanced. */
function methodOf(run: RunInfo): string {
  if (run.mode !== 'finetune') return 'Trained a network from scratch';
  if (run.groupsFrom === 'guided') return 'Refined your groups around the photos you placed, using a pretrained picture-recognition network';
  if (run.groupsFrom === 'kmeans') return 'Grouped what a pretrained picture-recognition network sees in each photo (k-means), without training';
  return 'Fine-tuned a pretrained picture-recognition network';
}

/** What the run summary says of how the groups were made (null for runs that learned from the user, said apart). */
function howGrouped(run: RunInfo): string | null {
  switch (run.groupsFrom) {
    case 'kmeans':
      return 'Sorted by how alike the photos look: the best way measured for folders of this size.';
    case 'kmeans-checked':
      return 'PhotoCluster compared two ways of sorting and kept the simpler one, because it kept look-alike photos together better. The numbers are under Advanced.';
    case 'network':
      return 'PhotoCluster compared two ways of sorting and kept the one it learned, because it kept look-alike photos together as well or better. The numbers are under Advanced.';
    default:
      return null;
  }
}

/** "46 photos you placed yourself, in 5 groups": what a run learned from the user's own sorting. */
function placedByHand(learned: NonNullable<RunInfo['learnedFrom']>): string {
  return `${plural(learned.photos, 'photo')} you placed yourself, in ${plural(learned.groups, 'group')}`;
}

/** The last run in plain words; the lead's partition check is said as what it means for the user. */
function RunSummary({ run }: { run: RunInfo }) {
  const how = howGrouped(run);
  return (
    <section className="card run-summary" aria-labelledby="run-summary-heading">
      <h3 id="run-summary-heading">Last grouping</h3>
      <p>
        Sorted into {plural(run.k, 'group')}
        {run.kSuggested !== null && run.config.k === 'auto' ? ' (PhotoCluster chose how many)' : ''} in {formatDuration(run.seconds)}.
      </p>
      {run.learnedFrom && (
        <p>
          Learned from {placedByHand(run.learnedFrom)}: photos that look like {run.learnedFrom.photos === 1 ? 'it were put with it' : 'them were put with them'}.
        </p>
      )}
      {!run.learnedFrom && how && <p className="muted">{how}</p>}
    </section>
  );
}

const ERRORS_PAGE = 100;

function ScanErrors({ library }: { library: LibraryInfo }) {
  const api = useApi();
  const [page, setPage] = useState(0);
  const errors = useQuery({
    queryKey: qk.scanErrors(library.id, page),
    queryFn: () => api.listScanErrors({ libraryId: library.id, offset: page * ERRORS_PAGE, limit: ERRORS_PAGE }),
  });
  if (errors.isPending) return null;
  if (errors.isError) return <ErrorNote error={errors.error} retry={() => void errors.refetch()} />;
  const { total, items } = errors.data;
  if (total === 0) return null;
  const pages = Math.ceil(total / ERRORS_PAGE);
  return (
    <section aria-labelledby="scan-errors-heading" className="card">
      <h3 id="scan-errors-heading">{plural(total, 'file')} could not be read</h3>
      <p className="muted">These files were skipped. Your files were not changed.</p>
      <table className="data-table scan-errors">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e, i) => (
            <tr key={`${e.path}-${i}`}>
              <td className="path">{e.path}</td>
              <td>
                {plainReason(e.reason)}
                <details className="reason-details">
                  <summary>Details</summary>
                  <span className="path">{e.reason}</span>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {pages > 1 && (
        <nav className="row" aria-label="Error pages">
          <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span>
            Page {page + 1} of {pages}
          </span>
          <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
            Next
          </button>
        </nav>
      )}
    </section>
  );
}

function stateLabel(state: JobInfo['state']): string {
  return { queued: 'waiting', running: 'running', done: 'done', failed: 'failed', cancelled: 'cancelled', interrupted: 'interrupted' }[state];
}

function JobList({ jobs }: { jobs: JobInfo[] }) {
  if (jobs.length === 0) return null;
  return (
    <details className="card">
      <summary>All jobs ({jobs.length})</summary>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">State</th>
            <th scope="col">Started</th>
            <th scope="col">Finished</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.id}>
              <td>
                {jobKindLabel(j.kind)} #{j.id}
              </td>
              <td>{stateLabel(j.state)}</td>
              <td>{formatDateTime(j.startedAt)}</td>
              <td>{formatDateTime(j.finishedAt)}</td>
              <td>{j.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
