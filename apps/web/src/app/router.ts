import { useMemo, useSyncExternalStore } from 'react';

/**
 * A small history router: the app has a handful of pages with at most a parameter or two, so a
 * dependency for routing would weigh more than it gives (react-router also needs Node 22). The API
 * answers index.html for every non-/api path, so deep links work.
 */
const NAVIGATE_EVENT = 'enclave:navigate';

export interface AppLocation {
  pathname: string;
  search: string;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

function currentHref(): string {
  return window.location.pathname + window.location.search;
}

export function splitHref(href: string): AppLocation {
  const q = href.indexOf('?');
  return q < 0 ? { pathname: href, search: '' } : { pathname: href.slice(0, q), search: href.slice(q) };
}

export function useLocation(): AppLocation {
  const href = useSyncExternalStore(subscribe, currentHref);
  return useMemo(() => splitHref(href), [href]);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentHref()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else {
    window.history.pushState(null, '', to);
    window.scrollTo(0, 0);
  }
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** A click the browser should handle itself (new tab, new window, download) is left alone. */
export function isPlainLeftClick(e: {
  button: number;
  metaKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  defaultPrevented: boolean;
}): boolean {
  return e.button === 0 && !e.metaKey && !e.altKey && !e.ctrlKey && !e.shiftKey && !e.defaultPrevented;
}

/**
 * Where to go after signing in: only a path on this origin (`/x`), never `//host` or `/\host`, which
 * browsers read as another origin — the `next` parameter must not become an open redirect.
 */
export function safeNextPath(search: string): string | null {
  const next = new URLSearchParams(search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  if (next === '/login' || next.startsWith('/login?')) return null;
  return next;
}

/** `/login`, remembering where the person was going. */
export function loginPathFor(location: AppLocation): string {
  const here = location.pathname + location.search;
  if (location.pathname === '/' || location.pathname === '/login') return '/login';
  return `/login?${new URLSearchParams({ next: here }).toString()}`;
}

/** Path parameters by name, decoded: `/projects/:id/label` on `/projects/p%201/label` → `{ id: 'p 1' }`. */
export type RouteParams = Record<string, string>;

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/**
 * Matches a pattern of static segments and `:name` parameters against a path, segment by segment;
 * a trailing slash does not matter, and a parameter never matches an empty segment or spans two.
 * Answers the decoded parameters, or null when the path is not the pattern's.
 */
export function matchPath(pattern: string, pathname: string): RouteParams | null {
  const want = segments(pattern);
  const got = segments(pathname);
  if (want.length !== got.length) return null;
  const params: RouteParams = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(g);
      } catch {
        return null; // `%E0%A4%A` is no path anyone was given
      }
      params[w.slice(1)] = value;
    } else if (w !== g) return null;
  }
  return params;
}

/** How many static segments a pattern has: `/projects/new` beats `/projects/:id` on `/projects/new`. */
function staticSegments(pattern: string): number {
  return segments(pattern).filter((s) => !s.startsWith(':')).length;
}

/**
 * The route whose pattern matches, with its parameters. Where two match, the one with more static
 * segments wins, then the earlier one, so the order of a route table never shadows `/projects/new`.
 */
export function matchRoute<R extends { path: string }>(
  routes: readonly R[],
  pathname: string,
): { route: R; params: RouteParams } | null {
  let best: { route: R; params: RouteParams; score: number } | null = null;
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (!params) continue;
    const score = staticSegments(route.path);
    if (!best || score > best.score) best = { route, params, score };
  }
  return best ? { route: best.route, params: best.params } : null;
}

/** A pattern filled with its parameters, each encoded: `pathTo('/projects/:id/label', { id })`. */
export function pathTo(pattern: string, params: RouteParams = {}): string {
  return pattern.replace(/:([A-Za-z]\w*)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing route parameter ${name} for ${pattern}`);
    return encodeURIComponent(value);
  });
}
