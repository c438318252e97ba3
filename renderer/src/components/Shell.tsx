import { useEffect, useState } from 'react';
import type { ClusterInfo } from '../../../core/api.js';
import { useConnectionState, useNotices } from '../data/context.js';
import { useClusters, useEdit, useJobs, useLibraries } from '../data/queries.js';
import { formatPercent, progressFraction } from '../lib/format.js';
import { currentJob, isActive, isSideJob, jobKindLabel } from '../lib/jobs.js';
import { runFromJobs } from '../lib/runProgress.js';
import { formatRoute, type Route } from '../lib/route.js';
import { partitionHidden, sortClusters } from '../lib/sortClusters.js';
import { usePhotoDropTarget } from './dnd.js';
import { GroupCovers } from './GroupPreview.js';

/** Says when the core cannot be reached and that the app keeps trying; the client reconnects by itself. */
export function ConnectionBanner({ everConnected }: { everConnected: boolean }) {
  const state = useConnectionState();
  const [grace, setGrace] = useState(true);
  useEffect(() => {
    const t = window.setTimeout(() => setGrace(false), 1500);
    return () => window.clearTimeout(t);
  }, []);
  if (state === 'open' || (grace && !everConnected)) return null;
  return (
    <div className="connection-banner" role="alert">
      {everConnected ? (
        <>
          <strong>Connection to PhotoCluster lost.</strong> Reconnecting… Your edits so far are saved. If this lasts, check that <code>photocluster serve</code> is still running and reload the
          page.
        </>
      ) : (
        <>
          <strong>Cannot reach PhotoCluster yet.</strong> Still trying… Start it with <code>photocluster serve</code> and open the address it prints.
        </>
      )}
    </div>
  );
}

export function Notices() {
  const { notices, dismiss } = useNotices();
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.tone}`}>
          <span>{n.text}</span>
          {n.action && (
            <button
              type="button"
              onClick={() => {
                n.action!.run();
                dismiss(n.id);
              }}
            >
              {n.action.label}
            </button>
          )}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function LibrarySwitcher({ libraryId, navigate }: { libraryId: number | null; navigate: (hash: string) => void }) {
  const libraries = useLibraries();
  if (!libraries.data || libraries.data.length === 0) return null;
  return (
    <label className="inline-field library-switcher">
      <span className="sr-only">Library</span>
      <select
        value={libraryId ?? ''}
        onChange={(e) => navigate(e.target.value === '' ? formatRoute({ view: 'home' }) : formatRoute({ view: 'groups', libraryId: Number(e.target.value) }))}
      >
        <option value="">All libraries…</option>
        {libraries.data.map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function JobIndicator({ libraryId }: { libraryId: number }) {
  const jobs = useJobs(libraryId);
  const job = currentJob(jobs.data ?? []);
  if (!job || !isActive(job)) return null;
  // Grouping runs speak in the same stages as the Progress page; an export or naming the groups is its own thing.
  const run = isSideJob(job) ? null : runFromJobs(jobs.data ?? []);
  const stage = run ? run.stages[run.at]! : null;
  const label = stage ? stage.label : jobKindLabel(job.kind);
  const fraction = stage ? (stage.done !== null && stage.total !== null ? progressFraction(stage.done, stage.total) : null) : job.progress ? progressFraction(job.progress.done, job.progress.total) : null;
  return (
    <a className="job-indicator" href={formatRoute({ view: 'activity', libraryId })} aria-label={`${label}: ${job.state === 'queued' ? 'waiting' : formatPercent(fraction)}. Show progress.`}>
      <span className="spinner" aria-hidden="true" /> {label}
      {fraction !== null && ` ${formatPercent(fraction)}`}
    </a>
  );
}

const NAV: Array<{ view: 'groups' | 'review' | 'map' | 'activity' | 'history' | 'ungrouped'; label: string }> = [
  { view: 'groups', label: 'Groups' },
  { view: 'review', label: 'Review unsure' },
  { view: 'ungrouped', label: 'Not in a group' },
  { view: 'map', label: 'Map' },
  { view: 'activity', label: 'Progress' },
  { view: 'history', label: 'History' },
];

export function Sidebar({ libraryId, route }: { libraryId: number; route: Route }) {
  const clusters = useClusters(libraryId);
  const visible = sortClusters(partitionHidden(clusters.data ?? []).visible, 'size');
  return (
    <nav className="sidebar" aria-label="Library">
      <ul className="nav-list">
        {NAV.map((n) => (
          <li key={n.view}>
            <a href={formatRoute({ view: n.view, libraryId })} aria-current={route.view === n.view ? 'page' : undefined}>
              {n.label}
            </a>
          </li>
        ))}
      </ul>
      {visible.length > 0 && (
        <>
          <h2 className="sidebar-heading" id="sidebar-groups">
            Groups <span className="muted">(drop photos here)</span>
          </h2>
          <ul className="nav-list group-targets" aria-labelledby="sidebar-groups">
            {visible.map((c) => (
              <GroupTarget key={c.id} cluster={c} current={route.view === 'group' && route.clusterId === c.id} />
            ))}
            <NewGroupTarget libraryId={libraryId} />
          </ul>
        </>
      )}
    </nav>
  );
}

function GroupTarget({ cluster, current }: { cluster: ClusterInfo; current: boolean }) {
  const move = useEdit('movePhotos', cluster.libraryId);
  const { over, dropProps } = usePhotoDropTarget((drag) => {
    if (drag.fromClusterId !== cluster.id) move.mutate({ photoIds: drag.photoIds, to: { clusterId: cluster.id } });
  });
  return (
    <li className={over ? 'drop-over' : ''} {...dropProps} data-drop-cluster={cluster.id}>
      <a href={formatRoute({ view: 'group', libraryId: cluster.libraryId, clusterId: cluster.id })} aria-current={current ? 'page' : undefined}>
        <GroupCovers cluster={cluster} count={1} />
        <span className="nav-name">{cluster.name}</span> <span className="count">{cluster.size}</span>
      </a>
    </li>
  );
}

function NewGroupTarget({ libraryId }: { libraryId: number }) {
  const move = useEdit('movePhotos', libraryId);
  const { over, dropProps } = usePhotoDropTarget((drag) => move.mutate({ photoIds: drag.photoIds, to: {} }));
  return (
    <li className={`new-group-target ${over ? 'drop-over' : ''}`} {...dropProps} data-drop-cluster="new">
      <span>+ New group (drop photos here)</span>
    </li>
  );
}
