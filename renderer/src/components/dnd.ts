import { useState, type DragEvent } from 'react';

/** Drag payload for photos dragged out of a gallery (or the map) onto a group or "new group". */
export const PHOTO_DRAG_TYPE = 'application/x-photocluster-photos';

export interface PhotoDrag {
  libraryId: number;
  photoIds: number[];
  fromClusterId: number | null;
}

export function startPhotoDrag(e: DragEvent, drag: PhotoDrag, label: string): void {
  e.dataTransfer.setData(PHOTO_DRAG_TYPE, JSON.stringify(drag));
  e.dataTransfer.setData('text/plain', label);
  e.dataTransfer.effectAllowed = 'move';
}

export function readPhotoDrag(e: DragEvent): PhotoDrag | null {
  const raw = e.dataTransfer.getData(PHOTO_DRAG_TYPE);
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as PhotoDrag;
    return Array.isArray(v.photoIds) && v.photoIds.every((n) => Number.isSafeInteger(n) && n > 0) ? v : null;
  } catch {
    return null;
  }
}

/** Props and a highlight flag for an element that accepts dropped photos. */
export function usePhotoDropTarget(onDrop: (drag: PhotoDrag) => void) {
  const [over, setOver] = useState(false);
  const accepts = (e: DragEvent) => e.dataTransfer.types.includes(PHOTO_DRAG_TYPE);
  return {
    over,
    dropProps: {
      onDragEnter: (e: DragEvent) => {
        if (accepts(e)) {
          e.preventDefault();
          setOver(true);
        }
      },
      onDragOver: (e: DragEvent) => {
        if (accepts(e)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'move';
        }
      },
      onDragLeave: () => setOver(false),
      onDrop: (e: DragEvent) => {
        setOver(false);
        const drag = readPhotoDrag(e);
        if (drag) {
          e.preventDefault();
          onDrop(drag);
        }
      },
    },
  };
}
