import type { EpochStats } from '../../../core/api.js';

/** Series of the live training chart: the DCCM loss parts on the left axis, the confident share on the right. */
export const LOSS_SERIES = [
  { key: 'loss', label: 'Total loss' },
  { key: 'pg', label: 'Graph (PG)' },
  { key: 'pl', label: 'Pseudo-label (PL)' },
  { key: 'pgAug', label: 'Graph, augmented' },
  { key: 'plAug', label: 'Pseudo-label, augmented' },
  { key: 'mi', label: 'Mutual information' },
] as const satisfies ReadonlyArray<{ key: keyof EpochStats; label: string }>;

export interface LinearScale {
  (v: number): number;
  domain: [number, number];
}

export function linearScale(domain: [number, number], range: [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  const f = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as LinearScale;
  f.domain = domain;
  return f;
}

/** A domain that contains every value (finite ones only), padded so flat lines are not glued to the frame. */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** An SVG path through the finite points; a non-finite value breaks the line instead of plunging to zero. */
export function linePath(points: ReadonlyArray<{ x: number; y: number }>): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** About `count` round tick values across the domain (1, 2 or 5 × a power of ten apart). */
export function ticks([lo, hi]: [number, number], count: number): number[] {
  if (!(hi > lo) || count < 1) return [lo];
  const raw = (hi - lo) / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const err = raw / pow;
  const step = pow * (err >= 7.07 ? 10 : err >= 3.16 ? 5 : err >= 1.41 ? 2 : 1);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Adds an epoch to a job's history, replacing a repeated epoch number (a resumed job re-reports it). */
export function addEpoch(list: readonly EpochStats[], stats: EpochStats): EpochStats[] {
  const out = list.filter((s) => s.epoch !== stats.epoch);
  out.push(stats);
  out.sort((a, b) => a.epoch - b.epoch);
  return out;
}
