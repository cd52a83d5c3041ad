export { resolveHosts, REGIONS, GLOBAL_HOSTS } from './hosts.ts';
export type { Hosts, Region } from './hosts.ts';
export { createClockifyClient, buildUrl } from './client.ts';
export type { ClockifyClient, ClientOptions, ApiRequest, ApiResponse, RequestInfo, FetchLike } from './client.ts';
export { paginate, Paginator } from './paginate.ts';
export type { Pagination, PageRequest, Page } from './paginate.ts';
export { classify, toSyncError } from './errors-classify.ts';
export type { Outcome, Classification } from './errors-classify.ts';
export { backoffDelay, parseRetryAfter, DEFAULT_BACKOFF } from './retry.ts';
