// The console's addresses, read from and written to the History API (no router library: four routes):
// /console (inbox), /console/conversations/<id>, /console/team. Back and Forward move between them, and
// the address survives a reload and the login form (it is only read, never reset, while signed out).
import { useSyncExternalStore, type MouseEvent as ReactMouseEvent } from 'react';

export const BASE = '/console';

export type Route = { name: 'inbox' } | { name: 'conversation'; conversationId: string } | { name: 'team' };

/** The route of a pathname below /console; anything unknown is the inbox. */
export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean);
  if (parts[0] === 'conversations' && parts[1]) {
    try {
      return { name: 'conversation', conversationId: decodeURIComponent(parts[1]) };
    } catch {
      return { name: 'inbox' };
    }
  }
  if (parts[0] === 'team' && parts.length === 1) return { name: 'team' };
  return { name: 'inbox' };
}

export function pathOf(route: Route): string {
  switch (route.name) {
    case 'inbox':
      return `${BASE}/`;
    case 'conversation':
      return `${BASE}/conversations/${encodeURIComponent(route.conversationId)}`;
    case 'team':
      return `${BASE}/team`;
  }
}

const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};
window.addEventListener('popstate', notify);

/** Moves to a route (a new history entry, or replacing the current one). */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const path = pathOf(route);
  if (path === window.location.pathname) return;
  // How many entries this page added: Back inside the app only when there is one to go back to.
  const depth = options.replace ? historyDepth() : historyDepth() + 1;
  if (options.replace) window.history.replaceState({ consoleDepth: depth }, '', path);
  else window.history.pushState({ consoleDepth: depth }, '', path);
  notify();
}

function historyDepth(): number {
  const state: unknown = window.history.state;
  const depth =
    typeof state === 'object' && state !== null ? (state as { consoleDepth?: unknown }).consoleDepth : 0;
  return typeof depth === 'number' ? depth : 0;
}

/** Back to the list: the browser's Back when the list led here, else a new entry for the inbox. */
export function backToList(): void {
  if (historyDepth() > 0) window.history.back();
  else navigate({ name: 'inbox' });
}

let cachedPath = '';
let cachedRoute: Route = { name: 'inbox' };
function currentRoute(): Route {
  const path = window.location.pathname;
  if (path !== cachedPath) {
    cachedPath = path;
    cachedRoute = parseRoute(path);
  }
  return cachedRoute;
}

export function useRoute(): Route {
  return useSyncExternalStore((listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, currentRoute);
}

/** href and onClick for an <a> to a route: a plain click stays in the page, others open as usual. */
export function linkTo(route: Route): {
  href: string;
  onClick: (event: ReactMouseEvent<HTMLAnchorElement>) => void;
} {
  return {
    href: pathOf(route),
    onClick: (event) => {
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(route);
    },
  };
}
