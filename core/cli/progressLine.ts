/** The CLI's one-line progress display, redrawn in place on a terminal (never used when output is piped). */

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export interface BarState {
  done: number;
  total: number;
  etaSeconds: number | null;
  /** Items per second, when known. */
  rate?: number | null;
  /** Text before the bar (a phase name). */
  label?: string;
  /** Text after it (the file being handled). */
  detail?: string | null;
}

/** `label [#####-----]  42% 21/50  3.1 img/s  ETA 0:09  detail` */
export function barLine(p: BarState): string {
  const frac = p.total ? Math.min(1, p.done / p.total) : 1;
  const width = 24;
  const filled = Math.round(frac * width);
  const parts = [
    ...(p.label ? [p.label] : []),
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}% ${p.done}/${p.total}`,
    ...(p.rate ? [`${p.rate.toFixed(1)} img/s`] : []),
    `ETA ${p.etaSeconds === null ? '--:--' : formatDuration(p.etaSeconds)}`,
    ...(p.detail ? [p.detail] : []),
  ];
  return parts.join('  ');
}

export class TerminalLine {
  private drawn = false;
  private lastDraw = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  /** At most ten redraws a second; `final` lines are always drawn. */
  draw(line: string, final = false): void {
    const now = performance.now();
    if (!final && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.out.write(`\r\x1b[2K${line.slice(0, (this.out.columns || 80) - 1)}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }
}
