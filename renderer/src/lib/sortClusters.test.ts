import { describe, expect, it } from 'vitest';
import type { ClusterInfo } from '../../../core/api.js';
import { groupColor, partitionHidden, sortClusters } from './sortClusters.js';

const c = (id: number, name: string, size: number, meanConfidence: number | null, hidden = false): ClusterInfo => ({
  id,
  libraryId: 1,
  name,
  size,
  meanConfidence,
  hidden,
  coverPhotoIds: [],
  userNamed: false,
  suggestedName: null,
});

describe('sorting groups', () => {
  const list = [c(1, 'Group 10', 5, 0.5), c(2, 'group 2', 9, null), c(3, 'Beach', 9, 0.9, true), c(4, 'cats', 1, 0.7)];

  it('sorts by size with ties broken by id', () => {
    expect(sortClusters(list, 'size').map((x) => x.id)).toEqual([2, 3, 1, 4]);
  });
  it('sorts by name, case-insensitively and numerically', () => {
    expect(sortClusters(list, 'name').map((x) => x.name)).toEqual(['Beach', 'cats', 'group 2', 'Group 10']);
  });
  it('sorts by confidence with unknown last', () => {
    expect(sortClusters(list, 'confidence').map((x) => x.id)).toEqual([3, 4, 1, 2]);
  });
  it('does not mutate its input and splits hidden groups off', () => {
    const before = list.map((x) => x.id);
    sortClusters(list, 'name');
    expect(list.map((x) => x.id)).toEqual(before);
    const { visible, hidden } = partitionHidden(list);
    expect(hidden.map((x) => x.id)).toEqual([3]);
    expect(visible).toHaveLength(3);
  });
  it('gives neighbouring groups clearly different colours', () => {
    expect(groupColor(1)).not.toBe(groupColor(2));
    expect(groupColor(null)).toMatch(/0%/);
  });
});
