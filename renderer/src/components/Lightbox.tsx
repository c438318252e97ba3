import type { PhotoInfo } from '../../../core/api.js';
import { errorMessage, useApi, useNotices, usePlatform } from '../data/context.js';
import { usePhotoDetails } from '../data/queries.js';
import { formatBytes, formatDateTime, formatPercent } from '../lib/format.js';
import { Dialog, ErrorNote, Loading } from './common.js';

/** One photo large, with its EXIF details; ← and → step through the gallery it was opened from. */
export function Lightbox(props: { index: number; total: number; photo: PhotoInfo | undefined; onNavigate: (index: number) => void; onClose: () => void }) {
  const { previewUrl } = usePlatform();
  const api = useApi();
  const { notify } = useNotices();
  const details = usePhotoDetails(props.photo?.id ?? null);
  const go = (delta: number) => {
    const next = props.index + delta;
    if (next >= 0 && next < props.total) props.onNavigate(next);
  };
  const d = details.data;
  return (
    <Dialog
      title={props.photo?.name ?? 'Photo'}
      onClose={props.onClose}
      wide
      className="lightbox"
      onKeyDown={(e) => {
        if (e.key === 'ArrowLeft') go(-1);
        else if (e.key === 'ArrowRight') go(1);
        else return;
        e.preventDefault();
      }}
    >
      <div className="lightbox-body">
        <div className="lightbox-image">
          {props.photo ? <img src={previewUrl(props.photo.id)} alt={props.photo.name} /> : <Loading label="Loading photo…" />}
        </div>
        <aside className="lightbox-details" aria-label="Photo details">
          <div className="row">
            <button type="button" onClick={() => go(-1)} disabled={props.index <= 0} aria-label="Previous photo">
              ←
            </button>
            <span>
              {props.index + 1} of {props.total.toLocaleString('en-US')}
            </span>
            <button type="button" onClick={() => go(1)} disabled={props.index >= props.total - 1} aria-label="Next photo">
              →
            </button>
          </div>
          {details.isPending && props.photo && <Loading label="Reading details…" />}
          {details.isError && <ErrorNote error={details.error} retry={() => void details.refetch()} />}
          {d && (
            <dl className="details">
              <dt>File</dt>
              <dd className="path">{d.relPath}</dd>
              <dt>Size</dt>
              <dd>
                {d.width && d.height ? `${d.width} × ${d.height} px · ` : ''}
                {formatBytes(d.size)}
                {d.format ? ` · ${d.format.toUpperCase()}` : ''}
              </dd>
              <dt>Taken</dt>
              <dd>{formatDateTime(d.takenAt)}</dd>
              <dt>Camera</dt>
              <dd>{[d.cameraMake, d.cameraModel].filter(Boolean).join(' ') || '—'}</dd>
              <dt>Modified</dt>
              <dd>{formatDateTime(d.modifiedAt)}</dd>
              <dt>Group</dt>
              <dd>
                {d.clusterId === null ? 'none' : `${formatPercent(d.confidence)} sure`}
                {d.source === 'user' ? ' · placed by you' : ''}
                {d.isNew ? ' · new since the last grouping' : ''}
              </dd>
              {d.duplicateOf !== null && (
                <>
                  <dt>Duplicate</dt>
                  <dd>Same content as photo #{d.duplicateOf}</dd>
                </>
              )}
              {d.error && (
                <>
                  <dt>Problem</dt>
                  <dd>{d.error}</dd>
                </>
              )}
            </dl>
          )}
          {d?.sha256 && (
            <details className="advanced">
              <summary>Advanced</summary>
              <dl className="facts">
                <dt>Content fingerprint (SHA-256)</dt>
                <dd className="mono" title={d.sha256}>
                  {d.sha256.slice(0, 16)}…
                </dd>
              </dl>
            </details>
          )}
          {props.photo && (
            <button type="button" onClick={() => void api.openPhoto({ photoId: props.photo!.id }).catch((err) => notify(errorMessage(err), { tone: 'error' }))}>
              Open in default app
            </button>
          )}
        </aside>
      </div>
    </Dialog>
  );
}
