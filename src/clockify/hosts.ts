/**
 * Which hosts to talk to: the global Clockify hosts, a regional prefix, or a base URL
 * (subdomain workspaces, self-hosted servers, the simulator). REFERENCE.md §1.
 */
import { configError } from '../errors.ts';

export const REGIONS = ['euc1', 'use2', 'euw2', 'apse2'] as const;
export type Region = (typeof REGIONS)[number];

export interface Hosts {
  /** Main API base, no trailing slash, e.g. `https://api.clockify.me/api/v1`. */
  api: string;
  /** Reports API base, no trailing slash, e.g. `https://reports.api.clockify.me/v1`. */
  reports: string;
}

export const GLOBAL_HOSTS: Hosts = { api: 'https://api.clockify.me/api/v1', reports: 'https://reports.api.clockify.me/v1' };

/**
 * - nothing → the global hosts;
 * - `region` → `https://{region}.clockify.me/api/v1` and `https://{region}.clockify.me/report/v1`;
 * - `baseUrl` → `URL/api/v1` and `URL/report/v1`; a trailing slash and a URL already ending in
 *   `/api` or `/api/v1` are accepted. `baseUrl` wins over `region` when both are given.
 * Throws SyncError CONFIG_BAD_REGION / CONFIG_BAD_BASE_URL.
 */
export function resolveHosts(opts: { region?: string; baseUrl?: string } = {}): Hosts {
  if (opts.baseUrl !== undefined && opts.baseUrl !== '') return fromBaseUrl(opts.baseUrl);
  if (opts.region !== undefined && opts.region !== '') {
    const region = opts.region.trim().toLowerCase();
    if (!(REGIONS as readonly string[]).includes(region)) {
      throw configError(
        'CONFIG_BAD_REGION',
        `Unknown region "${opts.region}". Allowed regions: ${REGIONS.join(', ')} (euc1 = EU/Germany, use2 = USA, euw2 = UK, apse2 = Australia).`,
        'Leave --region out for the global servers, or use --base-url for a workspace on its own subdomain.',
      );
    }
    return { api: `https://${region}.clockify.me/api/v1`, reports: `https://${region}.clockify.me/report/v1` };
  }
  return { ...GLOBAL_HOSTS };
}

function fromBaseUrl(raw: string): Hosts {
  let shown = raw;
  const bad = (why: string) =>
    configError(
      'CONFIG_BAD_BASE_URL',
      `Invalid --base-url "${shown}": ${why}. Give an http(s) URL such as https://yourcompany.clockify.me or http://127.0.0.1:8080 (the main API is then URL/api/v1, the Reports API URL/report/v1).`,
    );
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw bad('not a URL');
  }
  if (url.username || url.password) {
    shown = `${url.protocol}//***@${url.host}${url.pathname}`;
    throw bad('it must not carry credentials');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`the scheme must be http or https, not ${url.protocol.replace(':', '')}`);
  if (url.search || url.hash) throw bad('it must not have a query string or a fragment');
  let path = url.pathname.replace(/\/+$/, '');
  if (/\/api\/v1$/i.test(path)) path = path.slice(0, -'/api/v1'.length);
  else if (/\/api$/i.test(path)) path = path.slice(0, -'/api'.length);
  const root = `${url.origin}${path}`;
  return { api: `${root}/api/v1`, reports: `${root}/report/v1` };
}
