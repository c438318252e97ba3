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
