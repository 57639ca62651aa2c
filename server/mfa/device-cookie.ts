import type { RequestInfo } from '../context.ts';

/**
 * Whether the browser will keep the `mfa_device` cookie (SameSite=Lax) set by this request and
 * send it with the next login: not when the page calling the API is on another site, where the
 * cookie is dropped (SameSite, third-party cookie blocking). The browser says so in
 * `Sec-Fetch-Site`; without it (older browsers), the `Origin` is compared with the API's host by
 * site (the last two labels; `localhost` and IP addresses as they are). A request with neither
 * (curl, a back end) is not a browser's: the guide's `trustDevice` works as it always did.
 */
export function deviceCookieWorks(req: Pick<RequestInfo, 'headers' | 'hostname'>): boolean {
  const fetchSite = req.headers['sec-fetch-site'];
  if (fetchSite) return fetchSite !== 'cross-site';
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return siteOf(new URL(origin).hostname) === siteOf(req.hostname);
  } catch {
    return false; // `null` (an opaque origin): not the API's site
  }
}

function siteOf(hostname: string): string {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (/^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[')) return host;
  return host.split('.').slice(-2).join('.');
}
