import { afterEach, describe, expect, it, vi } from 'vitest';
import { printClusters, type ClusterListing } from './serviceSession.js';

const listing: ClusterListing = {
  k: 2,
  clusters: [
    { id: 1, name: 'Group 1', size: 16, suggestedName: 'Shoes' },
    { id: 2, name: 'Summer hats', size: 14, suggestedName: null },
  ],
  assignments: [],
};

function printed(json: boolean): string {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  printClusters(listing, json);
  return write.mock.calls.map((c) => String(c[0])).join('');
}

describe('printClusters', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints each group with the name the app suggests for it, when there is one', () => {
    const lines = printed(false).trimEnd().split('\n');
    expect(lines).toEqual(['   1      16  Group 1  (suggested name: Shoes)', '   2      14  Summer hats', '2 groups, 0 photos']);
  });

  it('carries the suggestion in the JSON', () => {
    expect(JSON.parse(printed(true)).clusters[0]).toEqual({ id: 1, name: 'Group 1', size: 16, suggestedName: 'Shoes' });
  });
});
