import { useState } from 'react';
import type { ExportMode, ExportPreview } from '../../../core/api.js';
import { errorMessage, useApi } from '../data/context.js';
import { useCapabilities, useClusters, useJob } from '../data/queries.js';
import { formatBytes, plural } from '../lib/format.js';
import { isActive } from '../lib/jobs.js';
import { Dialog, ErrorNote, ProgressBar } from './common.js';
import { FolderField } from './FolderField.js';

const MODES: Record<ExportMode, string> = {
  copy: 'Copy (originals stay where they are)',
  hardlink: 'Hard link (no extra space, same drive only)',
  symlink: 'Symbolic link (points at the originals)',
  move: 'Move (originals are removed after each copy is verified)',
};

/** Choose groups, destination and mode; preview (counts, bytes, free space); run with progress; open the result. */
export function ExportDialog({ libraryId, initialClusterIds, onClose }: { libraryId: number; initialClusterIds: number[]; onClose: () => void }) {
  const api = useApi();
  const clusters = useClusters(libraryId);
  const caps = useCapabilities();
  // Opened without a choice (from the top bar): every visible group, once the groups are known.
  const [picked, setChosen] = useState<ReadonlySet<number> | null>(initialClusterIds.length ? new Set(initialClusterIds) : null);
  const chosen = picked ?? new Set((clusters.data ?? []).filter((c) => !c.hidden).map((c) => c.id));
  const [destination, setDestination] = useState('');
  const [mode, setMode] = useState<ExportMode>('copy');
  const [preview, setPreview] = useState<ExportPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<number | null>(null);
  const job = useJob(jobId);

  const args = { libraryId, clusterIds: [...chosen], destination: destination.trim(), mode };
  const ready = chosen.size > 0 && args.destination.length > 0;
  const reset = () => setPreview(null);

  async function run<T>(f: () => Promise<T>): Promise<T | null> {
    setBusy(true);
    setError(null);
    try {
      return await f();
    } catch (err) {
      setError(errorMessage(err));
      return null;
    } finally {
      setBusy(false);
    }
  }

  if (jobId !== null) {
    const j = job.data;
    const result = (j?.result ?? null) as {
      exported?: number;
      alreadyThere?: number;
      skipped?: number;
      bytes?: number;
      manifest?: string;
      notes?: Array<{ path: string; reason: string }>;
    } | null;
    return (
      <Dialog title="Exporting" onClose={onClose}>
        {!j && <p role="status">Starting…</p>}
        {j && isActive(j) && (
          <>
            <ProgressBar label="Export progress" done={j.progress?.done ?? 0} total={j.progress?.total ?? 0} etaSeconds={j.progress?.etaSeconds ?? null} />
            <button type="button" onClick={() => void run(() => api.cancelJob({ jobId }))}>
              Cancel export
            </button>
          </>
        )}
        {j?.state === 'done' && (
          <div role="status">
            <p>
              <strong>Export finished.</strong> {result?.exported !== undefined && <>{plural(result.exported, 'file')} exported</>}
              {result?.bytes !== undefined && <> ({formatBytes(result.bytes)})</>}
              {result?.alreadyThere ? <>, {result.alreadyThere.toLocaleString('en-US')} already there from an earlier export</> : null}
              {result?.skipped ? <>, {plural(result.skipped, 'file')} skipped</> : null}.
            </p>
            {result?.notes && <PathReasons items={result.notes} what="note" />}
            <p>
              Folder: <code>{args.destination}</code>
            </p>
            {result?.manifest && (
              <p className="muted">
                A manifest of what went where: <code>{result.manifest}</code>
              </p>
            )}
          </div>
        )}
        {j && (j.state === 'failed' || j.state === 'cancelled' || j.state === 'interrupted') && (
          <div className="error-note" role="alert">
            <p>
              The export {j.state === 'failed' ? 'failed' : `was ${j.state}`}
              {j.error ? `: ${j.error}` : '.'} Files already exported are complete; running it again skips them.
            </p>
            <button type="button" onClick={() => void run(() => api.resumeJob({ jobId }))}>
              Resume export
            </button>
          </div>
        )}
        {error && <ErrorNote error={new Error(error)} />}
        <div className="row end">
          {j?.state === 'done' && caps.data?.canRevealInFileManager && (
            <button type="button" className="primary" onClick={() => void run(() => api.revealExport({ jobId }))}>
              Open folder
            </button>
          )}
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Export groups to folders" onClose={onClose} wide>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!ready) return;
          if (!preview) void run(() => api.previewExport(args)).then((p) => p && setPreview(p));
          else void run(() => api.startExport(args)).then((j) => j && setJobId(j.id));
        }}
      >
        <fieldset className="export-groups">
          <legend>Groups ({chosen.size} chosen)</legend>
          <div className="row small">
            <button type="button" onClick={() => (setChosen(new Set(clusters.data?.filter((c) => !c.hidden).map((c) => c.id))), reset())}>
              All visible
            </button>
            <button type="button" onClick={() => (setChosen(new Set()), reset())}>
              None
            </button>
          </div>
          <ul className="check-list">
            {clusters.data?.map((c) => (
              <li key={c.id}>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={chosen.has(c.id)}
                    onChange={() => {
                      const n = new Set(chosen);
                      if (n.has(c.id)) n.delete(c.id);
                      else n.add(c.id);
                      setChosen(n);
                      reset();
                    }}
                  />{' '}
                  {c.name} <span className="muted">({c.size}{c.hidden ? ', hidden' : ''})</span>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <FolderField label="Destination folder" value={destination} onChange={(v) => (setDestination(v), reset())} dialogTitle="Choose where to export" required />
        <fieldset>
          <legend>How</legend>
          {(Object.keys(MODES) as ExportMode[]).map((m) => (
            <label key={m} className="check">
              <input type="radio" name="export-mode" value={m} checked={mode === m} onChange={() => (setMode(m), reset())} /> {MODES[m]}
            </label>
          ))}
          {mode === 'move' && <p className="warning">Move removes each original from its folder once its copy is written and verified. Choose Copy to keep the originals where they are.</p>}
        </fieldset>
        {preview && <PreviewTable preview={preview} />}
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {!preview ? (
            <button type="submit" className="primary" disabled={!ready || busy}>
              {busy ? 'Checking…' : 'Preview'}
            </button>
          ) : (
            <button type="submit" className="primary" disabled={busy || !preview.fits || preview.files === 0}>
              Export {plural(preview.files, 'photo')}
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}

function PreviewTable({ preview }: { preview: ExportPreview }) {
  return (
    <section aria-label="Export preview" className="export-preview">
      <table className="data-table">
        <caption>
          Dry run: nothing has been written yet. {preview.mode === 'copy' ? 'Copies' : preview.mode} go to <code>{preview.destination}</code>
        </caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">Folder</th>
            <th scope="col">Photos</th>
            <th scope="col">Size</th>
          </tr>
        </thead>
        <tbody>
          {preview.groups.map((g) => (
            <tr key={g.clusterId}>
              <td>{g.name}</td>
              <td className="path">{g.folder}</td>
              <td>{g.files.toLocaleString('en-US')}</td>
              <td>{formatBytes(g.bytes)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total
            </th>
            <td>{preview.files.toLocaleString('en-US')}</td>
            <td>{formatBytes(preview.bytes)}</td>
          </tr>
        </tfoot>
      </table>
      {preview.alreadyThere > 0 && (
        <p>
          {plural(preview.alreadyThere, 'photo')} already there from an earlier export of this library: not exported again.
        </p>
      )}
      <p className={preview.fits ? '' : 'error-text'}>
        {spaceSentence(preview)} {preview.freeBytes === null ? 'Free space unknown.' : `${formatBytes(preview.freeBytes)} free there.`}
        {!preview.fits && ' Not enough room: choose another destination or fewer groups.'}
      </p>
      <PathReasons items={preview.problems} what="problem" open />
    </section>
  );
}

/** A foldable list of files, each with what there is to say about it; nothing when there is none. */
function PathReasons({ items, what, open = false }: { items: Array<{ path: string; reason: string }>; what: string; open?: boolean }) {
  if (items.length === 0) return null;
  return (
    <details open={open}>
      <summary>{plural(items.length, what)}</summary>
      <ul>
        {items.map((p, i) => (
          <li key={i}>
            <code>{p.path}</code>: {p.reason}
          </li>
        ))}
      </ul>
    </details>
  );
}

/**
 * The space an export takes, said so that it matches the photos' size: the disk's block rounding (a 1 KB photo still
 * fills a 4 KB block) is mentioned only when it changes the number noticeably.
 */
export function spaceSentence(p: Pick<ExportPreview, 'bytes' | 'bytesNeeded'>): string {
  if (p.bytesNeeded === 0) return 'Takes no extra space (links to your photos).';
  const base = `Needs ${formatBytes(Math.min(p.bytes, p.bytesNeeded) || p.bytesNeeded)} of space.`;
  if (p.bytesNeeded <= p.bytes * 1.1) return base;
  return `${base} On disk up to ${formatBytes(p.bytesNeeded)}, because every file fills at least one disk block.`;
}
