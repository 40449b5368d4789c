// The attachment endpoint: GET /v1/attachments?url=... (with the key) redirects to a short-lived signed URL on the
// storage host, which is fetched with no API header. The redirect is read here rather than followed by undici,
// which would forward x-api-key to the storage host.
import { ApiError } from './errors.js';
import type { BodyMemory } from './body.js';
import type { GetOptions, HttpTransport, HttpResponse, Target } from './http.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const isSuccess = (status: number) => status >= 200 && status < 300;

export interface AttachmentEndpoint {
  transport: HttpTransport;
  /** The attachment endpoint of the API, `url=` not yet added. */
  origin: string;
  path: string;
  /** The API's protocol: a signed URL may be http only when the API itself is. */
  protocol: 'http:' | 'https:';
  /**
   * Fresh signed URLs asked for after the storage host refused one (an expired signature) before giving up: the
   * client's `retry.retries`, as a refused signature is a failure like any other, just one cured by a new URL.
   */
  maxRefreshes: number;
}

export interface AttachmentOptions {
  signal?: AbortSignal | undefined;
  /** The API request's place among requests waiting for the rate control (the storage host's are not paced). */
  priority?: number | undefined;
  /** A limit for this body below the client's maxResponseBytes. */
  maxBytes?: number | undefined;
  /** Counts the body's bytes against a budget shared with other requests. */
  memory?: BodyMemory | undefined;
}

/** The bytes behind a private attachment URL (a result object, a mask, a point cloud). */
export async function fetchAttachment(
  endpoint: AttachmentEndpoint,
  attachmentUrl: string,
  options: AttachmentOptions,
): Promise<Uint8Array> {
  const { transport } = endpoint;
  const { signal, priority, maxBytes, memory } = options;
  const body: GetOptions = { signal, priority, maxBytes, memory };
  const query = new URLSearchParams({ url: attachmentUrl });
  const request: Target = { origin: endpoint.origin, path: `${endpoint.path}?${query}` };
  const accept = (status: number) => isSuccess(status) || REDIRECT_STATUSES.has(status);
  for (let refreshes = 0; ; refreshes++) {
    const answer = await transport.get(request, { ...body, accept });
    // An API that serves the bytes itself is fine too: they come from the API's origin.
    if (isSuccess(answer.status)) return answer.body;
    const signed = signedTarget(answer, request, endpoint);
    try {
      return (await transport.get(signed, body)).body;
    } catch (error) {
      // Whatever the body says (S3 XML, a JSON error...): a 403 from storage is a signature it no longer takes.
      const expired = error instanceof ApiError && error.status === 403;
      if (!expired || refreshes >= endpoint.maxRefreshes) throw error;
    }
  }
}

/** The redirect's Location as a request target, if it is a URL the client may fetch. */
function signedTarget(answer: HttpResponse, request: Target, endpoint: AttachmentEndpoint): Target {
  const location = answer.headers.location;
  const fail = (message: string) =>
    new ApiError('BAD_REDIRECT', message, { url: endpoint.transport.shownUrl(request), status: answer.status });
  if (typeof location !== 'string' || location === '') {
    throw fail('the attachment endpoint redirected without a Location');
  }
  let signed: URL;
  try {
    signed = new URL(location, request.origin + request.path);
  } catch {
    throw fail('the attachment endpoint redirected to a malformed URL');
  }
  const allowed = signed.protocol === 'https:' || (signed.protocol === 'http:' && endpoint.protocol === 'http:');
  if (!allowed) throw fail(`the attachment endpoint redirected to a ${endpoint.transport.redact(signed.protocol)} URL`);
  return { origin: signed.origin, path: signed.pathname + signed.search };
}
