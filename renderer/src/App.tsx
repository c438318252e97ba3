import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ThemeSwitch } from './components/ThemeSwitch.js';
import { ConnectionBanner, JobIndicator, LibrarySwitcher, Notices, Sidebar } from './components/Shell.js';
import { ExportDialog } from './components/ExportDialog.js';
import { EmptyState } from './components/common.js';
import { useConnectionState } from './data/context.js';
import { useEdit, useHistory } from './data/queries.js';
import { globalAction, isMacPlatform, isTextEntryTarget } from './lib/keymap.js';
import { formatRoute, parseRoute, routeLibraryId, type Route } from './lib/route.js';
import { ActivityView } from './views/ActivityView.js';
import { GroupsView } from './views/GroupsView.js';
import { GroupView } from './views/GroupView.js';
import { HistoryView } from './views/HistoryView.js';
import { HomeView } from './views/HomeView.js';
import { UngroupedView } from './views/UngroupedView.js';
import { MapView } from './views/MapView.js';
import { ReviewView } from './views/ReviewView.js';
import { SettingsView } from './views/SettingsView.js';

const subscribeHash = (cb: () => void) => {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
};

function useRoute(): [Route, (hash: string) => void] {
  const hash = useSyncExternalStore(subscribeHash, () => window.location.hash);
  return [parseRoute(hash), (next: string) => void (window.location.hash = next)];
}

const TITLES: Record<Route['view'], string> = {
  home: 'Libraries',
  settings: 'Settings',
  activity: 'Progress',
  groups: 'Groups',
  group: 'Group',
  review: 'Review unsure',
  map: 'Map',
  history: 'History',
  ungrouped: 'Not in a group',
};

export function App() {
  const [route, navigate] = useRoute();
  const libraryId = routeLibraryId(route);
  const connection = useConnectionState();
  const everConnected = useRef(false);
  if (connection === 'open') everConnected.current = true;
  const [exporting, setExporting] = useState<number[] | null>(null);
  const main = useRef<HTMLElement>(null);

  // Moving between screens: say where we are and put focus at the start of the new content.
  const routeKey = formatRoute(route);
  const first = useRef(true);
  useEffect(() => {
    document.title = `${TITLES[route.view]} · PhotoCluster`;
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
  }, [routeKey, route.view]);

  const offline = connection !== 'open' && !everConnected.current;

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header className="topbar">
        <h1 className="brand">
          <a href={formatRoute({ view: 'home' })}>PhotoCluster</a>
        </h1>
        {!offline && <LibrarySwitcher libraryId={libraryId} navigate={navigate} />}
        <div className="topbar-right">
          {!offline && libraryId !== null && <JobIndicator libraryId={libraryId} />}
          {!offline && libraryId !== null && <UndoRedo libraryId={libraryId} />}
          {!offline && libraryId !== null && (
            <button type="button" onClick={() => setExporting([])}>
              Export…
            </button>
          )}
          <ThemeSwitch />
          <a href={formatRoute({ view: 'settings' })} aria-current={route.view === 'settings' ? 'page' : undefined} className="button">
            Settings
          </a>
        </div>
      </header>
      <ConnectionBanner everConnected={everConnected.current} />
      <div className="body">
        {!offline && libraryId !== null && <Sidebar libraryId={libraryId} route={route} />}
        <main id="main" ref={main} tabIndex={-1} aria-label={TITLES[route.view]}>
          {offline ? <OfflineScreen /> : <Screen route={route} navigate={navigate} onExport={setExporting} />}
        </main>
      </div>
      {exporting !== null && libraryId !== null && <ExportDialog libraryId={libraryId} initialClusterIds={exporting} onClose={() => setExporting(null)} />}
      <Notices />
    </div>
  );
}

function Screen({ route, navigate, onExport }: { route: Route; navigate: (hash: string) => void; onExport: (ids: number[]) => void }) {
  switch (route.view) {
    case 'home':
      return <HomeView navigate={navigate} />;
    case 'settings':
      return <SettingsView />;
    case 'activity':
      return <ActivityView libraryId={route.libraryId} />;
    case 'groups':
      return <GroupsView libraryId={route.libraryId} onExport={onExport} navigate={navigate} />;
    case 'group':
      return <GroupView key={route.clusterId} libraryId={route.libraryId} clusterId={route.clusterId} onExport={onExport} navigate={navigate} />;
    case 'review':
      return <ReviewView libraryId={route.libraryId} />;
    case 'map':
      return <MapView libraryId={route.libraryId} />;
    case 'history':
      return <HistoryView libraryId={route.libraryId} />;
    case 'ungrouped':
      return <UngroupedView libraryId={route.libraryId} />;
  }
}

function OfflineScreen() {
  return (
    <EmptyState title="Connecting to PhotoCluster…">
      <p>This page is the PhotoCluster app; it needs the PhotoCluster program running on this computer.</p>
      <p>
        If nothing happens, start it with <code>photocluster serve</code> in a terminal and open the address it prints (it includes a one-time access key). The page reconnects by itself.
      </p>
    </EmptyState>
  );
}

/** Undo/redo buttons plus the Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z (and Ctrl+Y) shortcuts, anywhere outside text fields. */
function UndoRedo({ libraryId }: { libraryId: number }) {
  const history = useHistory(libraryId);
  const undo = useEdit('undo', libraryId);
  const redo = useEdit('redo', libraryId);
  const canUndo = history.data?.canUndo ?? false;
  const canRedo = history.data?.canRedo ?? false;
  useEffect(() => {
    const mac = isMacPlatform(navigator.platform || navigator.userAgent);
    const onKey = (e: KeyboardEvent) => {
      const action = globalAction(e, mac);
      if (!action || isTextEntryTarget(e.target)) return;
      e.preventDefault();
      if (undo.isPending || redo.isPending) return;
      if (action === 'undo') undo.mutate({ libraryId });
      else redo.mutate({ libraryId });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [libraryId, undo, redo]);
  const lastDone = history.data?.entries.find((e) => !e.undone);
  const nextRedo = [...(history.data?.entries ?? [])].reverse().find((e) => e.undone);
  return (
    <div className="row undo-redo" role="group" aria-label="Undo and redo">
      <button type="button" disabled={!canUndo} onClick={() => undo.mutate({ libraryId })} aria-keyshortcuts="Control+Z Meta+Z" title={lastDone ? `Undo: ${lastDone.description}` : 'Nothing to undo'}>
        Undo
      </button>
      <button type="button" disabled={!canRedo} onClick={() => redo.mutate({ libraryId })} aria-keyshortcuts="Control+Shift+Z Meta+Shift+Z" title={nextRedo ? `Redo: ${nextRedo.description}` : 'Nothing to redo'}>
        Redo
      </button>
    </div>
  );
}
