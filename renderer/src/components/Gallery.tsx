import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent, type PointerEvent } from 'react';
import type { ClusterInfo, PhotoInfo } from '../../../core/api.js';
import { usePhotoWindow } from '../data/photoWindow.js';
import type { PhotoListParams } from '../data/keys.js';
import { useEdit, usePhotoDetails } from '../data/queries.js';
import { useElementWidth } from '../data/useElementSize.js';
import { formatPercent, plural } from '../lib/format.js';
import { rectFromPoints, type Point } from '../lib/geometry.js';
import { cellOrigin, gridGeometry, indicesInRect, rowCount, type GridGeometry } from '../lib/gridLayout.js';
import { commandKey, galleryAction, isMacPlatform, nextFocus } from '../lib/keymap.js';
import { actionTargets, applyBand, applyClick, clickKind, emptySelection, rangeBounds, selectAll, type Selection } from '../lib/selection.js';
import { moveTargets } from '../lib/sortClusters.js';
import { ErrorNote, Thumb } from './common.js';
import { startPhotoDrag } from './dnd.js';
import { MoveTo, type MoveTarget } from './MoveTo.js';
import { Lightbox } from './Lightbox.js';

const MIN_CELL = 150;
const GAP = 6;
const mac = typeof navigator !== 'undefined' && isMacPlatform(navigator.platform || navigator.userAgent);

export interface GalleryProps {
  params: PhotoListParams;
  /** Accessible name of the grid, e.g. "Photos in Beach". */
  label: string;
  /** The group shown (null for a list that is not one group): "not this group" and drags use it. */
  clusterId: number | null;
  clusters: ClusterInfo[];
  emptyText: string;
}

/**
 * The virtualized photo grid: rows are rendered only near the viewport, pages of photos are fetched as they scroll
 * into view, and selection (click, shift, ctrl/cmd, rubber band, keyboard) is kept by photo id.
 */
export function Gallery({ params, label, clusterId, clusters, emptyText }: GalleryProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const innerRef = useRef<HTMLDivElement>(null);
  const width = useElementWidth(scrollRef);
  const geom = useMemo(() => gridGeometry(width, MIN_CELL, GAP), [width]);
  const [range, setRange] = useState({ first: 0, last: 0 });
  const win = usePhotoWindow(params, range.first, range.last);
  const total = win.total ?? 0;
  const rows = rowCount(total, geom.columns);

  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => geom.rowHeight,
    overscan: 3,
    // A synchronous re-render on every scroll event costs frames at 20,000 photos; a frame late is invisible.
    useFlushSync: false,
  });
  useEffect(() => virtualizer.measure(), [virtualizer, geom.rowHeight]);
  const virtualRows = virtualizer.getVirtualItems();
  const firstRow = virtualRows[0]?.index ?? 0;
  const lastRow = virtualRows[virtualRows.length - 1]?.index ?? 0;
  useEffect(() => {
    setRange({ first: firstRow * geom.columns, last: (lastRow + 1) * geom.columns - 1 });
  }, [firstRow, lastRow, geom.columns]);

  const [selection, setSelection] = useState<Selection>(emptySelection);
  const [focus, setFocus] = useState(0);
  const [lightbox, setLightbox] = useState<number | null>(null);
  const [band, setBand] = useState<{ start: Point; end: Point; before: Selection; additive: boolean } | null>(null);
  const selectionRef = useRef(selection);
  selectionRef.current = selection;

  // A new list (other group, filter or sort) starts with nothing selected.
  const listKey = `${params.libraryId}/${params.clusterId ?? ''}/${params.filter ?? ''}/${params.sort ?? ''}/${params.order ?? ''}`;
  useEffect(() => {
    setSelection(emptySelection);
    setFocus(0);
  }, [listKey]);
  useEffect(() => {
    if (total > 0 && focus >= total) setFocus(total - 1);
  }, [total, focus]);

  const move = useEdit('movePhotos', params.libraryId);
  const reject = useEdit('rejectPhotos', params.libraryId);
  const accept = useEdit('acceptPhotos', params.libraryId);
  const clear = () => setSelection(emptySelection);

  const targets = () => actionTargets(selectionRef.current, win.photoAt(focus)?.id ?? null);
  const moveTo = (to: MoveTarget, ids = targets()) => {
    if (ids.length) move.mutate({ photoIds: ids, to }, { onSuccess: clear });
  };
  const rejectTargets = () => {
    const ids = targets();
    if (ids.length && clusterId !== null) reject.mutate({ clusterId, photoIds: ids }, { onSuccess: clear });
  };

  const focusIndex = useCallback(
    (index: number) => {
      setFocus(index);
      virtualizer.scrollToIndex(Math.floor(index / geom.columns), { align: 'auto' });
    },
    [virtualizer, geom.columns],
  );

  async function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const action = galleryAction(e, mac);
    if (!action || total === 0) return;
    if (action.type === 'clear' && selection.ids.size === 0) return;
    e.preventDefault();
    e.stopPropagation();
    switch (action.type) {
      case 'focus': {
        const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 600) / geom.rowHeight));
        const next = nextFocus(focus, action.dir, geom.columns, total, pageRows);
        focusIndex(next);
        if (action.extend) {
          const anchor = selection.anchor ?? focus;
          const ids = await win.idsInRange(...rangeBounds(anchor, next));
          setSelection({ ids: new Set(ids), anchor });
        }
        break;
      }
      case 'open':
        setLightbox(focus);
        break;
      case 'toggle': {
        const id = win.photoAt(focus)?.id;
        if (id !== undefined) setSelection((s) => applyClick(s, { index: focus, id, kind: 'toggle' }));
        break;
      }
      case 'selectAll':
        setSelection(selectAll(await win.idsInRange(0, total - 1)));
        break;
      case 'clear':
        clear();
        break;
      case 'reject':
        rejectTargets();
        break;
      case 'newGroup':
        moveTo({});
        break;
    }
  }

  async function onCellClick(e: MouseEvent, index: number, photo: PhotoInfo) {
    const kind = clickKind({ shiftKey: e.shiftKey, toggleKey: commandKey(e, mac) });
    setFocus(index);
    scrollRef.current?.focus({ preventScroll: true });
    const anchor = selectionRef.current.anchor;
    const rangeIds = (kind === 'range' || kind === 'rangeAdd') && anchor !== null ? await win.idsInRange(...rangeBounds(anchor, index)) : undefined;
    setSelection((s) => applyClick(s, { index, id: photo.id, kind, rangeIds }));
  }

  function onCellDragStart(e: DragEvent, index: number, photo: PhotoInfo) {
    let ids = [...selectionRef.current.ids];
    if (!selectionRef.current.ids.has(photo.id)) {
      ids = [photo.id];
      setSelection({ ids: new Set(ids), anchor: index });
    }
    startPhotoDrag(e, { libraryId: params.libraryId, photoIds: ids, fromClusterId: clusterId }, plural(ids.length, 'photo'));
  }

  // Cells are memoised; they get handlers that never change identity and call the latest ones.
  const latest = useRef({ onCellClick, onCellDragStart, open: setLightbox });
  latest.current = { onCellClick, onCellDragStart, open: setLightbox };
  const cellHandlers = useMemo(
    () => ({
      onClick: (e: MouseEvent, index: number, photo: PhotoInfo) => void latest.current.onCellClick(e, index, photo),
      onOpen: (index: number) => latest.current.open(index),
      onDragStart: (e: DragEvent, index: number, photo: PhotoInfo) => latest.current.onCellDragStart(e, index, photo),
    }),
    [],
  );

  // Rubber band: drag on the empty space between photos (or from the grid's edge) to select a rectangle.
  const contentPoint = (e: PointerEvent): Point => {
    const r = innerRef.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  function onPointerDown(e: PointerEvent<HTMLDivElement>) {
    if (e.button !== 0 || (e.target as Element).closest('[role="gridcell"]') || !innerRef.current) return;
    const p = contentPoint(e);
    if (p.x < 0 || p.x > innerRef.current.clientWidth) return; // the scrollbar
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus({ preventScroll: true });
    const additive = e.shiftKey || commandKey(e, mac);
    setBand({ start: p, end: p, before: additive ? selection : emptySelection, additive });
    if (!additive) setSelection(emptySelection);
  }
  function onPointerMove(e: PointerEvent<HTMLDivElement>) {
    if (!band) return;
    const el = scrollRef.current!;
    const r = el.getBoundingClientRect();
    if (e.clientY > r.bottom - 24) el.scrollTop += 24;
    else if (e.clientY < r.top + 24) el.scrollTop -= 24;
    const end = contentPoint(e);
    setBand({ ...band, end });
    const ids = indicesInRect(rectFromPoints(band.start, end), geom, total)
      .map((i) => win.photoAt(i)?.id)
      .filter((id): id is number => id !== undefined);
    setSelection(applyBand(band.before, ids, band.additive));
  }
  const endBand = () => setBand(null);

  if (win.error && win.total === undefined) return <ErrorNote error={win.error} />;
  if (!win.loading && total === 0) return <p className="empty-gallery">{emptyText}</p>;

  const focusedVisible = focus >= firstRow * geom.columns && focus < (lastRow + 1) * geom.columns;
  const bandRect = band ? rectFromPoints(band.start, band.end) : null;
  const selectedCount = selection.ids.size;

  return (
    <div className="gallery-wrap">
      <SelectionBar
        count={selectedCount}
        onlyPhotoId={selectedCount === 1 ? [...selection.ids][0]! : null}
        clusters={clusters}
        clusterId={clusterId}
        onMove={(to) => moveTo(to, [...selection.ids])}
        onReject={rejectTargets}
        onAccept={() => accept.mutate({ photoIds: [...selection.ids] }, { onSuccess: clear })}
        onClear={clear}
        busy={move.isPending || reject.isPending || accept.isPending}
      />
      <p className="sr-only" id="gallery-help">
        Arrow keys move, Space or Enter opens the photo, Shift with arrows selects a range, Ctrl+Space selects one, Ctrl+A selects all, Delete removes the selection from this group, N makes a new
        group.
      </p>
      <div
        ref={scrollRef}
        className={`gallery ${band ? 'banding' : ''}`}
        role="grid"
        aria-label={label}
        aria-describedby="gallery-help"
        aria-rowcount={rows}
        aria-colcount={geom.columns}
        aria-multiselectable="true"
        aria-activedescendant={focusedVisible && total > 0 ? `cell-${focus}` : undefined}
        tabIndex={0}
        onKeyDown={(e) => void onKeyDown(e)}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endBand}
        onPointerCancel={endBand}
      >
        <div ref={innerRef} className="gallery-inner" style={{ height: virtualizer.getTotalSize() }}>
          {virtualRows.map((vr) => (
            <div key={vr.key} role="row" aria-rowindex={vr.index + 1} className="gallery-row" style={{ top: vr.start, height: geom.cell }}>
              {Array.from({ length: geom.columns }, (_, c) => {
                const index = vr.index * geom.columns + c;
                if (index >= total) return null;
                const photo = win.photoAt(index);
                return (
                  <Cell
                    key={c}
                    index={index}
                    column={c}
                    geom={geom}
                    photo={photo}
                    selected={photo ? selection.ids.has(photo.id) : false}
                    focused={index === focus}
                    onClick={cellHandlers.onClick}
                    onOpen={cellHandlers.onOpen}
                    onDragStart={cellHandlers.onDragStart}
                  />
                );
              })}
            </div>
          ))}
          {bandRect && <div className="rubber-band" style={{ left: bandRect.x, top: bandRect.y, width: bandRect.width, height: bandRect.height }} aria-hidden="true" />}
        </div>
      </div>
      {lightbox !== null && (
        <Lightbox
          index={lightbox}
          total={total}
          photo={win.photoAt(lightbox)}
          onNavigate={(i) => {
            setLightbox(i);
            focusIndex(i);
          }}
          onClose={() => setLightbox(null)}
        />
      )}
    </div>
  );
}

interface CellProps {
  index: number;
  column: number;
  geom: GridGeometry;
  photo: PhotoInfo | undefined;
  selected: boolean;
  focused: boolean;
  onClick: (e: MouseEvent, index: number, photo: PhotoInfo) => void;
  onOpen: (index: number) => void;
  onDragStart: (e: DragEvent, index: number, photo: PhotoInfo) => void;
}

const Cell = memo(function Cell({ index, column, geom, photo, selected, focused, onClick, onOpen, onDragStart }: CellProps) {
  const style = { left: cellOrigin(column, geom).x, width: geom.cell, height: geom.cell };
  if (!photo) {
    return <div role="gridcell" id={`cell-${index}`} aria-colindex={column + 1} aria-busy="true" aria-label="Loading photo" className="cell placeholder" style={style} />;
  }
  const sure = photo.confidence === null ? '' : `, ${formatPercent(photo.confidence)} sure`;
  return (
    <div
      role="gridcell"
      id={`cell-${index}`}
      aria-colindex={column + 1}
      aria-selected={selected}
      aria-label={`${photo.name}${sure}${photo.source === 'user' ? ', placed by you' : ''}`}
      className={`cell ${selected ? 'selected' : ''} ${focused ? 'focused' : ''} ${photo.isNew ? 'is-new' : ''}`}
      style={style}
      draggable
      data-photo-id={photo.id}
      onClick={(e) => onClick(e, index, photo)}
      onDoubleClick={() => onOpen(index)}
      onDragStart={(e) => onDragStart(e, index, photo)}
    >
      <Thumb photoId={photo.id} alt={photo.name} />
      {photo.confidence !== null && photo.confidence < 0.5 && <span className="badge unsure">unsure</span>}
      {photo.source === 'user' && <span className="badge pinned">pinned</span>}
      {selected && (
        <span className="check-mark" aria-hidden="true">
          ✓
        </span>
      )}
    </div>
  );
});

/**
 * What can be done with the selected photos. With one photo selected, "Move to" lists the groups likeliest for it
 * first (nearest it, as Review does; core/service/likelyGroups.ts), the rest biggest first.
 */
export function SelectionBar(props: {
  count: number;
  /** The selected photo when exactly one is. */
  onlyPhotoId: number | null;
  clusters: ClusterInfo[];
  clusterId: number | null;
  onMove: (to: MoveTarget) => void;
  onReject: () => void;
  onAccept: () => void;
  onClear: () => void;
  busy: boolean;
}) {
  const details = usePhotoDetails(props.onlyPhotoId);
  const others = moveTargets(props.clusters, props.clusterId, details.data?.likelyGroups ?? []);
  return (
    <div className="selection-bar row" role="toolbar" aria-label="Selected photos">
      <span aria-live="polite">{props.count ? `${plural(props.count, 'photo')} selected` : 'Click, Shift-click, Ctrl-click or drag a box to select photos.'}</span>
      {props.count > 0 && (
        <>
          <MoveTo clusters={others} disabled={props.busy} onMove={props.onMove} />
          {props.clusterId !== null && (
            <button type="button" disabled={props.busy} onClick={props.onReject}>
              Not this group
            </button>
          )}
          <button type="button" disabled={props.busy} onClick={props.onAccept}>
            Keep here
          </button>
          <button type="button" onClick={props.onClear}>
            Clear selection
          </button>
        </>
      )}
    </div>
  );
}
