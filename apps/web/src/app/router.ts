import { useMemo, useSyncExternalStore } from 'react';

/**
 * A small history router: the app has a handful of flat pages, so a dependency for routing would
 * weigh more than it gives. The API answers index.html for every non-/api path, so deep links work.
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
