import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import type { ClusterInfo, EmbeddingSet } from '../../../core/api.js';
import { EmptyState, ErrorNote, Loading, ProgressBar, Thumb } from '../components/common.js';
import { useApi } from '../data/context.js';
import { qk } from '../data/keys.js';
import { MoveTo } from '../components/MoveTo.js';
import { useClusters, useEdit } from '../data/queries.js';
import { useElementWidth } from '../data/useElementSize.js';
import { decodeFloat32Base64 } from '../lib/embeddings.js';
import { plural } from '../lib/format.js';
import { fitPoints, pointsInLasso, type Point } from '../lib/geometry.js';
import { NO_GROUP_COLOUR, paletteFor } from '../lib/palette.js';
import { partitionHidden, sortClusters } from '../lib/sortClusters.js';
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

/** Leaves out the photos of hidden groups: hidden means hidden everywhere. */
export function withoutHidden(set: EmbeddingSet, coords: Float32Array, hiddenIds: ReadonlySet<number>): { photoIds: number[]; clusterIds: Array<number | null>; coords: Float32Array } {
  const keep: number[] = [];
  set.clusterIds.forEach((c, i) => {
    if (c === null || !hiddenIds.has(c)) keep.push(i);
  });
  const out = new Float32Array(keep.length * 2);
  keep.forEach((i, j) => {
    out[j * 2] = coords[i * 2]!;
    out[j * 2 + 1] = coords[i * 2 + 1]!;
  });
  return { photoIds: keep.map((i) => set.photoIds[i]!), clusterIds: keep.map((i) => set.clusterIds[i] ?? null), coords: out };
}

interface View {
  scale: number;
  tx: number;
  ty: number;
}
const IDENTITY: View = { scale: 1, tx: 0, ty: 0 };

function MapCanvas({ libraryId, set: fullSet, coords: allCoords, clusters: allClusters }: { libraryId: number; set: EmbeddingSet; coords: Float32Array; clusters: ClusterInfo[] }) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const width = useElementWidth(wrapRef);
  const { visible: clusters, hidden } = useMemo(() => partitionHidden(allClusters), [allClusters]);
  const hiddenIds = useMemo(() => new Set(hidden.map((c) => c.id)), [hidden]);
  const set = useMemo(() => withoutHidden(fullSet, allCoords, hiddenIds), [fullSet, allCoords, hiddenIds]);
  const colours = useMemo(() => paletteFor(sortClusters(clusters, 'size').map((c) => c.id)), [clusters]);
  const colourOf = (id: number | null) => (id === null ? NO_GROUP_COLOUR : (colours.get(id) ?? NO_GROUP_COLOUR));
  const fitted = useMemo(() => fitPoints(set.coords, width, HEIGHT, 16), [set.coords, width]);
  const [view, setView] = useState<View>(IDENTITY);
  const [mode, setMode] = useState<'select' | 'pan'>('select');
  const { xs, ys } = useMemo(() => ({ xs: fitted.xs.map((x) => x * view.scale + view.tx), ys: fitted.ys.map((y) => y * view.scale + view.ty) }), [fitted, view]);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [lasso, setLasso] = useState<Point[] | null>(null);
  const [hover, setHover] = useState<{ index: number; x: number; y: number } | null>(null);
  const panFrom = useRef<{ x: number; y: number; view: View } | null>(null);
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
    const radius = (set.photoIds.length > 5000 ? 1.5 : 3.5) * Math.min(2, Math.sqrt(view.scale));
    for (let i = 0; i < xs.length; i++) {
      ctx.fillStyle = colourOf(set.clusterIds[i] ?? null);
      ctx.beginPath();
      ctx.arc(xs[i]!, ys[i]!, selected.has(i) || hover?.index === i ? radius + 2 : radius, 0, Math.PI * 2);
      ctx.fill();
      if (selected.has(i) || hover?.index === i) {
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = getComputedStyle(canvas).color;
        ctx.stroke();
      }
    }
  }, [xs, ys, width, selected, set, colours, hover?.index, view.scale]);

  const point = (e: PointerEvent): Point => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const nearest = (p: Point): number | null => {
    let best: number | null = null;
    let bestD = 10 * 10;
    for (let i = 0; i < xs.length; i++) {
      const d = (xs[i]! - p.x) ** 2 + (ys[i]! - p.y) ** 2;
      if (d < bestD) (bestD = d), (best = i);
    }
    return best;
  };
  const zoom = (factor: number, at: Point = { x: width / 2, y: HEIGHT / 2 }) =>
    setView((v) => {
      const scale = Math.min(40, Math.max(1, v.scale * factor));
      const k = scale / v.scale;
      return scale === 1 ? IDENTITY : { scale, tx: at.x - (at.x - v.tx) * k, ty: at.y - (at.y - v.ty) * k };
    });
  const selectedPhotoIds = [...selected].map((i) => set.photoIds[i]!);
  const present = new Map<number | null, number>();
  set.clusterIds.forEach((c) => present.set(c, (present.get(c) ?? 0) + 1));
  const legend = sortClusters(clusters, 'size').filter((c) => present.has(c.id));
  const hoverCluster = hover ? clusters.find((c) => c.id === set.clusterIds[hover.index]) : null;

  return (
    <div className="map-layout">
      <div className="map-main">
        <div className="row map-tools" role="toolbar" aria-label="Map view">
          <button type="button" onClick={() => zoom(1.5)}>
            Zoom in
          </button>
          <button type="button" onClick={() => zoom(1 / 1.5)} disabled={view.scale === 1}>
            Zoom out
          </button>
          <button type="button" onClick={() => setView(IDENTITY)} disabled={view === IDENTITY}>
            Show all
          </button>
          <button type="button" aria-pressed={mode === 'pan'} onClick={() => setMode(mode === 'pan' ? 'select' : 'pan')}>
            {mode === 'pan' ? 'Dragging moves the map' : 'Drag to move the map'}
          </button>
          <span className="muted">Scroll to zoom. {mode === 'select' ? 'Draw around photos to select them.' : ''}</span>
        </div>
        <div className="map-canvas-wrap" ref={wrapRef}>
          <canvas ref={canvasRef} className="map-canvas" style={{ width, height: HEIGHT }} role="img" aria-label={`Map of ${plural(set.photoIds.length, 'photo')} coloured by group; ${selected.size} selected.`} />
          <svg
            className={`map-lasso ${mode === 'pan' ? 'panning' : ''}`}
            width={width}
            height={HEIGHT}
            aria-hidden="true"
            data-testid="map-surface"
            onWheel={(e) => zoom(e.deltaY < 0 ? 1.25 : 0.8, { x: e.clientX - e.currentTarget.getBoundingClientRect().left, y: e.clientY - e.currentTarget.getBoundingClientRect().top })}
            onPointerDown={(e) => {
              e.currentTarget.setPointerCapture(e.pointerId);
              if (mode === 'pan' || e.button === 1) panFrom.current = { ...point(e), view };
              else setLasso([point(e)]);
            }}
            onPointerMove={(e) => {
              const p = point(e);
              if (panFrom.current) {
                const from = panFrom.current;
                setView({ scale: from.view.scale, tx: from.view.tx + p.x - from.x, ty: from.view.ty + p.y - from.y });
                return;
              }
              if (lasso) return setLasso([...lasso, p]);
              const i = nearest(p);
              setHover(i === null ? null : { index: i, x: xs[i]!, y: ys[i]! });
            }}
            onPointerLeave={() => setHover(null)}
            onPointerUp={(e) => {
              panFrom.current = null;
              if (lasso && lasso.length > 2) {
                const inside = pointsInLasso(xs, ys, lasso);
                setSelected((s) => (e.shiftKey ? new Set([...s, ...inside]) : new Set(inside)));
              }
              setLasso(null);
            }}
          >
            {lasso && <polygon points={lasso.map((p) => `${p.x},${p.y}`).join(' ')} className="lasso-shape" />}
          </svg>
          {hover && (
            <div className="map-hover" style={{ left: Math.min(hover.x + 12, width - 180), top: Math.max(0, Math.min(hover.y + 12, HEIGHT - 200)) }} data-testid="map-hover">
              <Thumb photoId={set.photoIds[hover.index]!} alt={`Photo in ${hoverCluster?.name ?? 'no group'}`} />
              <span>{hoverCluster?.name ?? 'Not in a group'}</span>
            </div>
          )}
        </div>
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
                <span className="swatch" style={{ background: colourOf(c.id) }} aria-hidden="true" data-colour={colourOf(c.id)} /> {c.name} ({present.get(c.id)})
              </button>
            </li>
          ))}
        </ul>
        {hidden.length > 0 && <p className="muted">{plural(hidden.length, 'hidden group')} not shown.</p>}
      </aside>
    </div>
  );
}
