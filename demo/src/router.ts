/**
 * A small client router over the History API: the server answers every extension-less path with
 * index.html, and the app picks the page from `location.pathname`.
 */
export const routes = {
  login: '/login',
  signup: '/signup',
  challenge: '/login/verify',
  dashboard: '/dashboard',
  mfa: '/dashboard/security/mfa',
} as const;

export type RoutePath = (typeof routes)[keyof typeof routes];

const listeners = new Set<() => void>();

export function currentPath(): string {
  return location.pathname.replace(/\/+$/, '') || '/';
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === currentPath() && !options.replace) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

export function onNavigate(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Same-origin links (`<a href="/signup">`) navigate without reloading the page. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element | null)?.closest?.('a[href]');
    if (!(link instanceof HTMLAnchorElement) || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    navigate(url.pathname);
  });
  window.addEventListener('popstate', () => {
    for (const listener of listeners) listener();
  });
}
