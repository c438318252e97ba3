import { useId } from 'react';
import type { EpochStats } from '../../../core/api.js';
import { extent, linearScale, linePath, LOSS_SERIES, ticks } from '../lib/chart.js';
import { formatPercent } from '../lib/format.js';

const W = 640;
const H = 260;
const M = { top: 12, right: 48, bottom: 32, left: 52 };

/** Live DCCM loss parts (left axis) and the confident share (right axis, dashed), one point per epoch. */
export function TrainingChart({ epochs, totalEpochs }: { epochs: readonly EpochStats[]; totalEpochs?: number | null }) {
  const titleId = useId();
  if (epochs.length === 0) return <p className="muted">The chart fills in as training finishes each epoch.</p>;
  const lastEpoch = Math.max(totalEpochs ?? 0, epochs[epochs.length - 1]!.epoch, 1);
  const x = linearScale([Math.min(epochs[0]!.epoch, 1), lastEpoch], [M.left, W - M.right]);
  const yDomain = extent(epochs.flatMap((e) => LOSS_SERIES.map((s) => e[s.key])));
  const y = linearScale(yDomain, [H - M.bottom, M.top]);
  const share = linearScale([0, 1], [H - M.bottom, M.top]);
  const last = epochs[epochs.length - 1]!;
  const summary = `Epoch ${last.epoch}${totalEpochs ? ` of ${totalEpochs}` : ''}: loss ${last.loss.toFixed(3)}, confident share ${formatPercent(last.confidentShare)}, ${last.imagesPerSecond.toFixed(1)} images per second.`;

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={titleId} className="chart-svg">
        <title id={titleId}>Training losses per epoch. {summary}</title>
        {ticks(yDomain, 4).map((t) => (
          <g key={`y${t}`} className="tick">
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} className="grid-line" />
            <text x={M.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle">
              {t}
            </text>
          </g>
        ))}
        {[0, 0.5, 1].map((t) => (
          <text key={`s${t}`} x={W - M.right + 6} y={share(t)} dominantBaseline="middle" className="tick">
            {formatPercent(t)}
          </text>
        ))}
        {ticks([x.domain[0], x.domain[1]], 6)
          .filter(Number.isInteger)
          .map((t) => (
            <text key={`x${t}`} x={x(t)} y={H - M.bottom + 18} textAnchor="middle" className="tick">
              {t}
            </text>
          ))}
        {LOSS_SERIES.map((s, i) => (
          <path key={s.key} d={linePath(epochs.map((e) => ({ x: x(e.epoch), y: y(e[s.key]) })))} className={`series series-${i}`} />
        ))}
        <path d={linePath(epochs.map((e) => ({ x: x(e.epoch), y: share(e.confidentShare) })))} className="series series-share" />
      </svg>
      <figcaption>
        <p>{summary}</p>
        <ul className="legend" aria-label="Chart legend">
          {LOSS_SERIES.map((s, i) => (
            <li key={s.key}>
              <span className={`swatch series-${i}`} aria-hidden="true" /> {s.label}
            </li>
          ))}
          <li>
            <span className="swatch series-share" aria-hidden="true" /> Confident share (right axis)
          </li>
        </ul>
        <details>
          <summary>Numbers per epoch</summary>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Epoch</th>
                {LOSS_SERIES.map((s) => (
                  <th key={s.key} scope="col">
                    {s.label}
                  </th>
                ))}
                <th scope="col">Confident</th>
              </tr>
            </thead>
            <tbody>
              {epochs.map((e) => (
                <tr key={e.epoch}>
                  <th scope="row">{e.epoch}</th>
                  {LOSS_SERIES.map((s) => (
                    <td key={s.key}>{e[s.key].toFixed(4)}</td>
                  ))}
                  <td>{formatPercent(e.confidentShare)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}
