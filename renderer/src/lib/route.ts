/** The app's location, kept in the URL hash so reload and back/forward work without server routes. */
export type Route =
  | { view: 'home' }
  | { view: 'settings' }
  | { view: 'activity'; libraryId: number }
  | { view: 'groups'; libraryId: number }
  | { view: 'group'; libraryId: number; clusterId: number }
  | { view: 'review'; libraryId: number }
  | { view: 'map'; libraryId: number }
  | { view: 'history'; libraryId: number }
  | { view: 'ungrouped'; libraryId: number };

export type LibraryView = Exclude<Route['view'], 'home' | 'settings' | 'group'>;
const LIBRARY_VIEWS: readonly LibraryView[] = ['activity', 'groups', 'review', 'map', 'history', 'ungrouped'];

const positiveInt = (s: string | undefined): number | null => (s && /^[1-9][0-9]{0,14}$/.test(s) ? Number(s) : null);

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'settings') return { view: 'settings' };
  if (parts[0] === 'library') {
    const libraryId = positiveInt(parts[1]);
    if (libraryId === null) return { view: 'home' };
    if (parts[2] === 'group') {
      const clusterId = positiveInt(parts[3]);
      return clusterId === null ? { view: 'groups', libraryId } : { view: 'group', libraryId, clusterId };
    }
    const view = (LIBRARY_VIEWS as readonly string[]).includes(parts[2] ?? '') ? (parts[2] as LibraryView) : 'groups';
    return { view, libraryId } as Route;
  }
  return { view: 'home' };
}

export function formatRoute(r: Route): string {
  switch (r.view) {
    case 'home':
      return '#/';
    case 'settings':
      return '#/settings';
    case 'group':
      return `#/library/${r.libraryId}/group/${r.clusterId}`;
    default:
      return `#/library/${r.libraryId}/${r.view}`;
  }
}

export function routeLibraryId(r: Route): number | null {
  return 'libraryId' in r ? r.libraryId : null;
}
