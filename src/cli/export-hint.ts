// What to check when an export stops before its first job: the batch listing refused or unreachable. The API's
// answer names no flag or variable; the person at the terminal needs the one to fix.
import { ApiError } from '../api/errors.js';
import { API_KEY_VARIABLE, CLIENT_DEFAULTS } from '../api/option-table.js';

/** What the export's options say of the batch listed. */
export interface ListingTarget {
  projectId: string;
  batchId: string;
  baseUrl?: string;
}

/** A line saying the likely cause and the fix, for an error of the batch listing; undefined for any other. */
export function listingHint(error: unknown, target: ListingTarget): string | undefined {
  if (!(error instanceof ApiError) || !isListing(error.url)) return undefined;
  const api =
    (target.baseUrl ?? CLIENT_DEFAULTS.baseUrl) === CLIENT_DEFAULTS.baseUrl
      ? 'the default API'
      : `--base-url ${target.baseUrl}`;
  switch (error.status) {
    case 401:
      return `the API refused the key: set ${API_KEY_VARIABLE} to your Playment API key`;
    case 403:
      return `the key may not read project ${target.projectId}: check --project, and that ${API_KEY_VARIABLE} is a key of its account`;
    case 404:
      return (
        `no batch ${target.batchId} in project ${target.projectId} at ${api}: check --batch and --project, and ` +
        '--base-url (the API origin, such as https://api.playment.io, or a URL ending in /v1)'
      );
    case undefined:
      if (error.code === 'TIMEOUT' || error.code === 'CONNECTION' || error.code === 'REQUEST_FAILED') {
        return `the API could not be reached at ${api}: check --base-url and the network`;
      }
      return undefined;
    default:
      return undefined;
  }
}

// The batch pages: /v1/projects/P/batch/B (after any prefix), the only request made before the first job.
function isListing(url: string): boolean {
  try {
    return /\/v1\/projects\/[^/]+\/batch\/[^/]+$/.test(new URL(url).pathname);
  } catch {
    return false;
  }
}
