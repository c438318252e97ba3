import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { EmptyState, ErrorNote, Loading, Thumb } from '../components/common.js';
import { GroupChoiceText, GroupCovers } from '../components/GroupPreview.js';
import { RegroupSuggestion } from '../components/RegroupSuggestion.js';
import { useApi, usePlatform } from '../data/context.js';
import { qk } from '../data/keys.js';
import { photoDetailsQuery, useClusters, useEdit, usePhotoDetails } from '../data/queries.js';
import { formatPercent, plural } from '../lib/format.js';
import { isTextEntryTarget, reviewAction } from '../lib/keymap.js';
import { formatRoute } from '../lib/route.js';
import { moveTargets } from '../lib/sortClusters.js';

const BATCH = 60;

/** The photos the model is least sure about, one at a time, lowest confidence first: one key to keep or move each. */
export function ReviewView({ libraryId }: { libraryId: number }) {
  const api = useApi();
  const { previewUrl } = usePlatform();
  const clusters = useClusters(libraryId);
  const params = { libraryId, filter: 'unsure', sort: 'confidence', order: 'asc' } as const;
  const photos = useQuery({ queryKey: qk.photoPage(params, 0), queryFn: () => api.listPhotos({ ...params, offset: 0, limit: BATCH }) });
  const accept = useEdit('acceptPhotos', libraryId);
  const move = useEdit('movePhotos', libraryId);
  const reject = useEdit('rejectPhotos', libraryId);
  const [skipped, setSkipped] = useState<number[]>([]);

  // Hidden groups' photos never arrive here: the core leaves them out of library-wide review, count included.
  const queue = (photos.data?.items ?? []).filter((p) => !skipped.includes(p.id));
  const current = queue[0];
  // The targets follow the ranking of the groups for this photo (getPhoto's likelyGroups); until it has come, the
  // numbered keys wait rather than move a photo to a group that is about to change places.
  const details = usePhotoDetails(current?.id ?? null);
  const ranked = details.data?.likelyGroups;
  const rankingReady = current === undefined || ranked !== undefined || details.isError;
  const choices = moveTargets(clusters.data ?? [], current?.clusterId ?? null, ranked ?? []).slice(0, 9);
  const group = clusters.data?.find((c) => c.id === current?.clusterId);
  const busy = accept.isPending || move.isPending || reject.isPending;
  const qc = useQueryClient();
  const upcoming = queue.slice(1, 4).map((p) => p.id);
  useEffect(() => {
    for (const photoId of upcoming) void qc.prefetchQuery(photoDetailsQuery(api, photoId));
  }, [upcoming.join(','), qc, api]); // eslint-disable-line react-hooks/exhaustive-deps

  const decide = (kind: 'accept' | 'reject' | 'skip' | 'back' | { slot: number }) => {
    if (kind === 'back') return setSkipped((s) => s.slice(0, -1));
    if (!current || busy) return;
    if (kind === 'skip') return setSkipped((s) => [...s, current.id]);
    if (kind === 'accept') accept.mutate({ photoIds: [current.id] });
    else if (kind === 'reject') {
      if (current.clusterId !== null) reject.mutate({ clusterId: current.clusterId, photoIds: [current.id] });
    } else {
      const target = rankingReady ? choices[kind.slot] : undefined;
      if (target) move.mutate({ photoIds: [current.id], to: { clusterId: target.id } });
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTextEntryTarget(e.target) || document.querySelector('dialog[open]')) return;
      if ((e.target as Element | null)?.closest?.('button, a, select') && (e.key === 'Enter' || e.key === ' ')) return;
      const a = reviewAction(e);
      if (!a) return;
      e.preventDefault();
      decide(a.type === 'move' ? { slot: a.slot } : a.type);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (photos.isPending || clusters.isPending) return <Loading />;
  if (photos.isError) return <ErrorNote error={photos.error} retry={() => void photos.refetch()} />;
  if (!current) {
    return (
      <EmptyState
        title={photos.data.total === 0 ? 'Nothing to review' : 'You have seen every unsure photo'}
        actions={
          <>
            {skipped.length > 0 && (
              <button type="button" onClick={() => setSkipped([])}>
                Go through the skipped ones again
              </button>
            )}
            <a className="button primary" href={formatRoute({ view: 'groups', libraryId })}>
              Back to the groups
            </a>
          </>
        }
      >
        <p>{photos.data.total === 0 ? 'PhotoCluster is sure about every photo, or you have already decided on them.' : `${plural(skipped.length, 'photo')} skipped.`}</p>
        <RegroupSuggestion libraryId={libraryId} />
      </EmptyState>
    );
  }

  return (
    <div className="view review-view">
      <header className="view-header">
        <h2>Review unsure photos</h2>
        <p className="muted" aria-live="polite">
          {plural(photos.data.total, 'photo')} left · least sure first
        </p>
      </header>
      <div className="review">
        <div className="review-main">
          <figure className="review-photo">
            <img src={previewUrl(current.id)} alt={current.name} />
            <figcaption>
              <strong>{current.name}</strong> — in <em>{group?.name ?? 'no group'}</em>, {formatPercent(current.confidence)} sure
            </figcaption>
          </figure>
          <section aria-label="Coming up" className="review-next">
            {queue.slice(1, 9).map((p) => (
              <Thumb key={p.id} photoId={p.id} alt={`${p.name}, ${formatPercent(p.confidence)} sure`} />
            ))}
          </section>
        </div>
        <div className="review-actions" role="group" aria-label="Decide">
          <button type="button" className="primary" disabled={busy} onClick={() => decide('accept')} aria-keyshortcuts="A Enter">
            <kbd>A</kbd> {group && <GroupCovers cluster={group} />}
            <span className="group-choice-text">Keep in {group?.name ?? 'this group'}</span>
          </button>
          {current.clusterId !== null && (
            <button type="button" disabled={busy} onClick={() => decide('reject')} aria-keyshortcuts="X Delete">
              <kbd>X</kbd> Not this group
            </button>
          )}
          <p className="muted">Or move it to{ranked && ranked.length > 0 ? ' (likeliest first)' : ''}:</p>
          <ol className="move-choices" aria-label="Groups to move it to">
            {choices.map((c, i) => (
              <li key={c.id}>
                <button type="button" disabled={busy || !rankingReady} onClick={() => decide({ slot: i })} aria-keyshortcuts={String(i + 1)}>
                  <kbd>{i + 1}</kbd> <GroupCovers cluster={c} /> <GroupChoiceText cluster={c} />
                </button>
              </li>
            ))}
          </ol>
          <div className="row">
            <button type="button" onClick={() => decide('back')} disabled={skipped.length === 0} aria-keyshortcuts="ArrowLeft">
              ← Back
            </button>
            <button type="button" onClick={() => decide('skip')} aria-keyshortcuts="S ArrowRight">
              Skip →
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
