import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { formatEta, formatPercent, progressFraction } from '../lib/format.js';
import { usePlatform } from '../data/context.js';

/**
 * A modal dialog on the native <dialog> element: the browser traps focus, Escape closes it, and the page behind is
 * inert. Focus returns to whatever had it before the dialog opened.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean; className?: string; onKeyDown?: (e: KeyboardEvent<HTMLDialogElement>) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    const dialog = ref.current;
    const before = document.activeElement as HTMLElement | null;
    if (dialog && typeof dialog.showModal === 'function' && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      before?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={`dialog ${props.wide ? 'dialog-wide' : ''} ${props.className ?? ''}`}
      aria-labelledby={titleId}
      onKeyDown={props.onKeyDown}
      onCancel={(e) => {
        e.preventDefault();
        onClose.current();
      }}
    >
      <header className="dialog-header">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={() => onClose.current()}>
          ×
        </button>
      </header>
      <div className="dialog-body">{props.children}</div>
    </dialog>
  );
}

export function EmptyState(props: { title: string; children?: ReactNode; actions?: ReactNode; tone?: 'info' | 'error' }) {
  return (
    <section className={`empty-state ${props.tone === 'error' ? 'empty-error' : ''}`} aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.children}
      {props.actions && <div className="actions">{props.actions}</div>}
    </section>
  );
}

export function ErrorNote({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error && typeof error === 'object' && 'message' in error ? String((error as Error).message) : String(error);
  return (
    <div className="error-note" role="alert">
      <p>{message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      {label}
    </p>
  );
}

/** A determinate bar when the total is known, an indeterminate one otherwise. */
/** `showCounts: false` for counts that mean nothing to the user (training steps): the percentage and ETA only. */
export function ProgressBar(props: { label: string; done: number; total: number; etaSeconds?: number | null; showEta?: boolean; showCounts?: boolean }) {
  const fraction = progressFraction(props.done, props.total);
  return (
    <div className="progress">
      <progress aria-label={props.label} max={fraction === null ? undefined : 1} value={fraction ?? undefined} />
      <span className="progress-text">
        {fraction === null ? props.label : props.showCounts === false ? formatPercent(fraction) : `${formatPercent(fraction)} · ${props.done.toLocaleString('en-US')} of ${props.total.toLocaleString('en-US')}`}
        {props.showEta !== false && fraction !== null && fraction < 1 && <> · {formatEta(props.etaSeconds)}</>}
      </span>
    </div>
  );
}

/** A photo thumbnail by opaque id; alt text is required so screen readers and broken images still say what it is. */
export function Thumb({ photoId, alt, className }: { photoId: number; alt: string; className?: string }) {
  const { thumbUrl } = usePlatform();
  return <img className={`thumb ${className ?? ''}`} src={thumbUrl(photoId)} alt={alt} loading="lazy" decoding="async" draggable={false} />;
}
