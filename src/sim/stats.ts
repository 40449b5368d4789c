import type { FaultKind, Route } from './fault-kinds.js';

/** Counters of a running simulator, updated live. */
export interface SimStats {
  apiRequests: number;
  storageRequests: number;
  /** TCP connections accepted by each origin: keep-alive and pool bounds show here. */
  apiConnections: number;
  storageConnections: number;
  /** Most API requests open at once (arrived, answer not yet sent). */
  apiInFlightPeak: number;
  /** API requests refused with 429 by the rate limit (`rateLimit`). */
  rateLimited: number;
  /** Storage requests that carried the API key in any header (or an x-api-key header at all): must stay 0. */
  storageRequestsWithKey: number;
  /** Requests per route; `unknown` for paths the API does not have. */
  routes: Record<Route | 'unknown', number>;
  /** Faults injected, per kind. */
  faults: Partial<Record<FaultKind, number>>;
  faultsInjected: number;
  /** API requests refused for a missing or wrong key. */
  unauthorized: number;
  /** Signed URLs issued by the attachment endpoint. */
  redirects: number;
  /** Storage requests refused with 403 (missing, invalid or expired signature, or an `expired` fault). */
  accessDenied: number;
  /** Body bytes of the files the storage host served in full. */
  storageBytes: number;
  /** Storage files generated (cache misses). */
  filesGenerated: number;
}

/** One request as the simulator saw it (kept when the simulator runs with `record: true`). */
export interface SimRequest {
  origin: 'api' | 'storage';
  route: Route | 'unknown';
  /** The request target as received: path and query, still percent-encoded. */
  url: string;
  /** performance.now() when the request arrived. */
  at: number;
  /** Whether it carried the API key. */
  withKey: boolean;
  fault?: FaultKind;
  status: number;
}

export function emptyStats(): SimStats {
  return {
    apiRequests: 0,
    storageRequests: 0,
    apiConnections: 0,
    storageConnections: 0,
    apiInFlightPeak: 0,
    rateLimited: 0,
    storageRequestsWithKey: 0,
    routes: { batch: 0, job: 0, attachment: 0, storage: 0, unknown: 0 },
    faults: {},
    faultsInjected: 0,
    unauthorized: 0,
    redirects: 0,
    accessDenied: 0,
    storageBytes: 0,
    filesGenerated: 0,
  };
}
