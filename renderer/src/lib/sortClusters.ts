import type { ClusterInfo } from '../../../core/api.js';

export type ClusterSort = 'size' | 'name' | 'confidence';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Groups in display order: biggest, alphabetical, or most confident first (unknown confidence last).
 * Ties fall back to the id so the order never jumps between renders.
 */
export function sortClusters(clusters: readonly ClusterInfo[], by: ClusterSort): ClusterInfo[] {
  const byId = (a: ClusterInfo, b: ClusterInfo) => a.id - b.id;
  const cmp: Record<ClusterSort, (a: ClusterInfo, b: ClusterInfo) => number> = {
    size: (a, b) => b.size - a.size || byId(a, b),
    name: (a, b) => collator.compare(a.name, b.name) || byId(a, b),
    confidence: (a, b) => (b.meanConfidence ?? -1) - (a.meanConfidence ?? -1) || byId(a, b),
  };
  return [...clusters].sort(cmp[by]);
}

export function partitionHidden(clusters: readonly ClusterInfo[]): { visible: ClusterInfo[]; hidden: ClusterInfo[] } {
  const visible: ClusterInfo[] = [];
  const hidden: ClusterInfo[] = [];
  for (const c of clusters) (c.hidden ? hidden : visible).push(c);
  return { visible, hidden };
}

/** A stable colour per group for the map and legends: golden-angle hues, so neighbours in id differ clearly. */
export function groupColor(clusterId: number | null): string {
  if (clusterId === null) return 'hsl(0 0% 55%)';
  const hue = Math.round((clusterId * 137.508) % 360);
  return `hsl(${hue} 70% 50%)`;
}

/**
 * The groups offered to move a photo of group `own` to (Review's numbered targets, "Move to" with one photo selected):
 * those likeliest for it first (`likely`, as getPhoto lists them: nearest the photo), then the others biggest first — so
 * the first choices are where a wrongly placed photo most often belongs, and with more groups than number keys the
 * likeliest stay within reach. Hidden groups are not offered.
 */
export function moveTargets(clusters: readonly ClusterInfo[], own: number | null, likely: readonly number[]): ClusterInfo[] {
  const offered = partitionHidden(clusters).visible.filter((c) => c.id !== own);
  const byId = new Map(offered.map((c) => [c.id, c]));
  const first = likely.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  const listed = new Set(first.map((c) => c.id));
  return [...first, ...sortClusters(offered.filter((c) => !listed.has(c.id)), 'size')];
}
