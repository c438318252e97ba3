import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, type Route } from './route.js';

describe('routes', () => {
  it('round-trips every view', () => {
    const routes: Route[] = [
      { view: 'home' },
      { view: 'settings' },
      { view: 'activity', libraryId: 3 },
      { view: 'groups', libraryId: 3 },
      { view: 'group', libraryId: 3, clusterId: 17 },
      { view: 'review', libraryId: 3 },
      { view: 'map', libraryId: 3 },
      { view: 'history', libraryId: 3 },
      { view: 'ungrouped', libraryId: 3 },
    ];
    for (const r of routes) expect(parseRoute(formatRoute(r))).toEqual(r);
  });

  it('falls back safely on junk', () => {
    expect(parseRoute('')).toEqual({ view: 'home' });
    expect(parseRoute('#/library/abc/groups')).toEqual({ view: 'home' });
    expect(parseRoute('#/library/0/groups')).toEqual({ view: 'home' });
    expect(parseRoute('#/library/2/nope')).toEqual({ view: 'groups', libraryId: 2 });
    expect(parseRoute('#/library/2/group/x')).toEqual({ view: 'groups', libraryId: 2 });
  });
});
