import type { JobProgress } from '../api.js';

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One terminal line: phase, bar, counts and ETA, cut to the terminal width. */
export function renderProgressLine(p: JobProgress, columns: number): string {
  const pct = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const barWidth = Math.max(10, Math.min(30, columns - 50));
  const filled = Math.round(pct * barWidth);
  const eta = p.etaSeconds !== null && p.done < p.total ? ` ETA ${formatSeconds(p.etaSeconds)}` : '';
  const line = `${p.phase.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${p.done}/${p.total}${eta}${p.message ? ' ' + p.message : ''}`;
  return line.length > columns - 1 ? line.slice(0, columns - 1) : line.padEnd(columns - 1);
}
