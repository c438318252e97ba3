import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import type { ClusterInfo, EmbeddingSet } from '../../../core/api.js';
import { EmptyState, ErrorNote, Loading, ProgressBar } from '../components/common.js';
import { useApi } from '../data/context.js';
import { qk } from '../data/keys.js';
import { MoveTo } from '../components/MoveTo.js';
import { useClusters, useEdit } from '../data/queries.js';
import { useElementWidth } from '../data/useElementSize.js';
import { decodeFloat32Base64 } from '../lib/embeddings.js';
import { plural } from '../lib/format.js';
import { fitPoints, pointsInLasso, type Point } from '../lib/geometry.js';
import { groupColor } from '../lib/sortClusters.js';
import type { LayoutMessage, LayoutRequest } from '../map/layoutProtocol.js';

const HEIGHT = 560;
const MIN_POINTS = 4;
/** Layouts survive leaving and re-entering the map; recomputed only when the vectors themselves change. */
const layoutCache = new Map<number, { data: string; coords: Float32Array }>();

type Layout = { state: 'idle' } | { state: 'running'; done: number; total: number } | { state: 'done'; coords: Float32Array } | { state: 'error'; message: string };

function useLayout(libraryId: number, set: EmbeddingSet | undefined): Layout {
  const [layout, setLayout] = useState<Layout>({ state: 'idle' });
  useEffect(() => {
    if (!set || set.photoIds.length < MIN_POINTS) return;
    const cached = layoutCache.get(libraryId);
    if (cached && cached.data === set.data) {
      setLayout({ state: 'done', coords: cached.coords });
      return;
    }
    const n = set.photoIds.length;
    let vectors: Float32Array;
    try {
      vectors = decodeFloat32Base64(set.data, n * set.dim);
    } catch (err) {
      setLayout({ state: 'error', message: (err as Error).message });
      return;
    }
    setLayout({ state: 'running', done: 0, total: 0 });
    const worker = new Worker(new URL('../map/umap.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<LayoutMessage>) => {
      const m = e.data;
      if (m.type === 'progress') setLayout({ state: 'running', done: m.done, total: m.total });
      else if (m.type === 'error') setLayout({ state: 'error', message: m.message });
      else {
        layoutCache.set(libraryId, { data: set.data, coords: m.coords });
        setLayout({ state: 'done', coords: m.coords });
      }
    };
    worker.onerror = (e) => setLayout({ state: 'error', message: e.message || 'the layout worker failed' });
    const request: LayoutRequest = { vectors, n, dim: set.dim, seed: libraryId };
    worker.postMessage(request, [vectors.buffer]);
    return () => worker.terminate();
  }, [libraryId, set]);
  return layout;
}

/** Photos as points laid out by similarity (UMAP of their embeddings), coloured by group; lasso to select and move. */
export function MapView({ libraryId }: { libraryId: number }) {
  const api = useApi();
  const embeddings = useQuery({ queryKey: qk.embeddings(libraryId), queryFn: () => api.getEmbeddings({ libraryId }) });
  const clusters = useClusters(libraryId);
  const layout = useLayout(libraryId, embeddings.data);

  if (embeddings.isPending) return <Loading label="Loading the library's embeddings…" />;
  if (embeddings.isError) return <ErrorNote error={embeddings.error} retry={() => void embeddings.refetch()} />;
  if (embeddings.data.photoIds.length < MIN_POINTS) {
    return (
      <EmptyState title="Nothing to map yet">
        <p>The map shows photos by similarity once they have been grouped. Group at least {MIN_POINTS} photos first.</p>
      </EmptyState>
    );
  }
  return (
    <div className="view map-view">
      <header className="view-header">
        <h2>Map</h2>
        <p className="muted">Each dot is a photo; similar photos sit close together. Draw a loop around dots to select them, then move them to a group.</p>
      </header>
      {layout.state === 'running' && <ProgressBar label="Laying out the map" done={layout.done} total={layout.total} showEta={false} />}
      {layout.state === 'error' && <ErrorNote error={new Error(`The map could not be laid out: ${layout.message}`)} />}
      {layout.state === 'done' && <MapCanvas libraryId={libraryId} set={embeddings.data} coords={layout.coords} clusters={clusters.data ?? []} />}
    </div>
  );
}

function MapCanvas({ libraryId, set, coords, clusters }: { libraryId: number; set: EmbeddingSet; coords: Float32Array; clusters: ClusterInfo[] }) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const width = useElementWidth(wrapRef);
  const { xs, ys } = useMemo(() => fitPoints(coords, width, HEIGHT, 16), [coords, width]);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [lasso, setLasso] = useState<Point[] | null>(null);
  const move = useEdit('movePhotos', libraryId);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = width * dpr;
    canvas.height = HEIGHT * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    const radius = set.photoIds.length > 5000 ? 1.5 : 3;
    for (let i = 0; i < xs.length; i++) {
      ctx.fillStyle = groupColor(set.clusterIds[i] ?? null);
      ctx.beginPath();
      ctx.arc(xs[i]!, ys[i]!, selected.has(i) ? radius + 2 : radius, 0, Math.PI * 2);
      ctx.fill();
      if (selected.has(i)) {
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = getComputedStyle(canvas).color;
        ctx.stroke();
      }
    }
  }, [xs, ys, width, selected, set]);

  const point = (e: PointerEvent): Point => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const selectedPhotoIds = [...selected].map((i) => set.photoIds[i]!);
  const present = new Map<number | null, number>();
  set.clusterIds.forEach((c) => present.set(c, (present.get(c) ?? 0) + 1));
  const legend = clusters.filter((c) => present.has(c.id));

  return (
    <div className="map-layout">
      <div className="map-canvas-wrap" ref={wrapRef}>
        <canvas ref={canvasRef} className="map-canvas" style={{ width, height: HEIGHT }} role="img" aria-label={`Map of ${plural(set.photoIds.length, 'photo')} coloured by group; ${selected.size} selected.`} />
        <svg
          className="map-lasso"
          width={width}
          height={HEIGHT}
          aria-hidden="true"
          onPointerDown={(e) => {
            e.currentTarget.setPointerCapture(e.pointerId);
            setLasso([point(e)]);
          }}
          onPointerMove={(e) => lasso && setLasso([...lasso, point(e)])}
          onPointerUp={(e) => {
            if (lasso && lasso.length > 2) {
              const inside = pointsInLasso(xs, ys, lasso);
              setSelected((s) => (e.shiftKey ? new Set([...s, ...inside]) : new Set(inside)));
            }
            setLasso(null);
          }}
        >
          {lasso && <polygon points={lasso.map((p) => `${p.x},${p.y}`).join(' ')} className="lasso-shape" />}
        </svg>
      </div>
      <aside className="map-side" aria-label="Map selection">
        <div className="selection-bar" role="toolbar" aria-label="Selected photos on the map">
          <p aria-live="polite">{selected.size ? `${plural(selected.size, 'photo')} selected` : 'Nothing selected.'}</p>
          {selected.size > 0 && (
            <>
              <div className="row">
                <MoveTo clusters={clusters} disabled={move.isPending} onMove={(to) => move.mutate({ photoIds: selectedPhotoIds, to }, { onSuccess: () => setSelected(new Set()) })} />
                <button type="button" onClick={() => setSelected(new Set())}>
                  Clear
                </button>
              </div>
            </>
          )}
        </div>
        <h3>Groups</h3>
        <ul className="legend map-legend">
          {legend.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className="link-button"
                onClick={() => setSelected(new Set(set.clusterIds.flatMap((cid, i) => (cid === c.id ? [i] : []))))}
                aria-label={`Select the ${present.get(c.id)} photos of ${c.name}`}
              >
                <span className="swatch" style={{ background: groupColor(c.id) }} aria-hidden="true" /> {c.name} ({present.get(c.id)})
              </button>
            </li>
          ))}
        </ul>
      </aside>
    </div>
  );
}
