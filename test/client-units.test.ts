// The client's pure parts: backoff, Retry-After, what is retried, page tokens, URL redaction, mask listing.
import { describe, expect, it } from 'vitest';
import { masksOf, PlaymentMasksError, type ResultObject } from '../src/index.js';
import { ApiError, redactUrl, type ApiErrorCode } from '../src/api/errors.js';
import { nextPageToken } from '../src/api/pagination.js';
import { isRetryable, parseRetryAfter, retryDelay } from '../src/api/retry.js';

describe('retryDelay', () => {
  const options = { retries: 5, minDelayMs: 100, maxDelayMs: 1000 };

  it('draws from [0, min * 2^n) (full jitter), capped at maxDelayMs', () => {
    expect(retryDelay(0, options, undefined, () => 0)).toBe(0);
    expect(retryDelay(0, options, undefined, () => 0.999)).toBe(99);
    expect(retryDelay(2, options, undefined, () => 0.5)).toBe(200);
    expect(retryDelay(3, options, undefined, () => 0.999)).toBe(799);
    expect(retryDelay(10, options, undefined, () => 0.999)).toBe(999);
  });

  it('waits at least what Retry-After asks, but never over maxDelayMs', () => {
    expect(retryDelay(0, options, 500, () => 0.5)).toBe(500);
    expect(retryDelay(0, options, 60_000, () => 0.5)).toBe(1000);
    expect(retryDelay(3, options, 10, () => 0.999)).toBe(799);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['3', 3000],
    ['0', 0],
    [' 12 ', 12_000],
    ['Thu, 01 Jan 2026 00:00:05 GMT', 5000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    [['7', '9'], 7000],
    ['soon', undefined],
    ['-1', undefined],
    ['', undefined],
    [undefined, undefined],
  ] as const)('%j -> %j ms', (value, expected) => {
    expect(parseRetryAfter(value as string | string[] | undefined, now)).toBe(expected);
  });
});

describe('isRetryable', () => {
  it.each([
    { code: 'HTTP_STATUS', status: 408, retry: true },
    { code: 'HTTP_STATUS', status: 429, retry: true },
    { code: 'HTTP_STATUS', status: 500, retry: true },
    { code: 'HTTP_STATUS', status: 503, retry: true },
    { code: 'API_ERROR', status: 502, apiCode: 'whatever', retry: true },
    { code: 'API_ERROR', status: 400, apiCode: 'FS_0000', retry: true },
    { code: 'API_ERROR', status: 400, apiCode: 'FS_0008', retry: true },
    { code: 'API_ERROR', status: 400, apiCode: 'api_error', retry: true },
    { code: 'API_ERROR', status: 400, apiCode: 'auth-failure', retry: false },
    { code: 'API_ERROR', status: 400, apiCode: 'unauthorized', retry: false },
    { code: 'API_ERROR', status: 400, apiCode: 'invalid_request_error', retry: false },
    { code: 'API_ERROR', status: 400, apiCode: 'core.webutil.bad', retry: false },
    { code: 'HTTP_STATUS', status: 401, retry: false },
    { code: 'HTTP_STATUS', status: 403, retry: false },
    { code: 'HTTP_STATUS', status: 404, retry: false },
    { code: 'TIMEOUT', retry: true },
    { code: 'TOO_SLOW', retry: true },
    { code: 'KEY_IN_URL', retry: false },
    { code: 'CONNECTION', retry: true },
    { code: 'BAD_ENCODING', retry: true },
    { code: 'BAD_JSON', status: 200, retry: false },
    { code: 'RESPONSE_TOO_LARGE', status: 200, retry: false },
    { code: 'BAD_REDIRECT', status: 302, retry: false },
    { code: 'ABORTED', retry: false },
    { code: 'REQUEST_FAILED', retry: false },
  ])('$code $status $apiCode -> $retry', ({ code, retry, ...details }) => {
    expect(isRetryable(new ApiError(code as ApiErrorCode, 'x', { url: 'http://h/', ...details }))).toBe(retry);
  });
});

describe('nextPageToken', () => {
  const url = 'http://h/v1/projects/p/batch/b';
  it('keeps string tokens as they are and ends on absent, null or empty ones', () => {
    expect(nextPageToken({ next_page_token: '1575822103313046001' }, '', url)).toBe('1575822103313046001');
    expect(nextPageToken({ next_page_token: 'opaque==' }, '', url)).toBe('opaque==');
    expect(nextPageToken({}, '', url)).toBeUndefined();
    expect(nextPageToken({ next_page_token: null }, '', url)).toBeUndefined();
    expect(nextPageToken({ next_page_token: '' }, '', url)).toBeUndefined();
  });

  it('reads the digits of a bare numeric token from the raw text, since JSON.parse rounded it', () => {
    const text = '{"data":{"jobs":[],"next_page_token": 1575822103313046001},"success":true}';
    const page = JSON.parse(text).data;
    expect(String(page.next_page_token)).not.toBe('1575822103313046001');
    expect(nextPageToken(page, text, url)).toBe('1575822103313046001');
  });

  it('refuses a token it cannot read exactly', () => {
    const text = '{"a":{"next_page_token":1575822103313046001},"data":{"next_page_token":1575822103313046002}}';
    const ambiguous = expect.objectContaining({ code: 'BAD_RESPONSE' });
    expect(() => nextPageToken(JSON.parse(text).data, text, url)).toThrow(ambiguous);
    expect(() => nextPageToken({ next_page_token: { a: 1 } }, '', url)).toThrow(ApiError);
    const small = '{"data":{"next_page_token":42,"x":{"next_page_token":42}}}';
    expect(nextPageToken({ next_page_token: 42 }, small, url)).toBe('42');
  });
});

describe('redactUrl', () => {
  it('hides signatures, credentials and tokens in queries, keeping the page token', () => {
    const signed =
      'https://user:pw@bucket.s3.amazonaws.com/a.txt' +
      '?X-Amz-Credential=AK%2F1&X-Amz-Signature=abc&X-Amz-Date=1&page_token=9';
    const shown = redactUrl(signed);
    expect(shown).not.toMatch(/abc|AK|user|pw/);
    expect(shown).toContain('X-Amz-Date=1');
    expect(shown).toContain('page_token=9');
    expect(shown).toContain('X-Amz-Signature=REDACTED');
  });

  it('drops the whole query of storage URLs and of URLs nested in a parameter', () => {
    expect(redactUrl('http://127.0.0.2:9/m.txt?st=1&e=2', true)).toBe('http://127.0.0.2:9/m.txt?REDACTED');
    const nested = `https://api/v1/attachments?${new URLSearchParams({ url: 'https://b/x?sig=s3cr3t' })}`;
    expect(decodeURIComponent(redactUrl(nested))).toBe('https://api/v1/attachments?url=https://b/x?REDACTED');
    expect(redactUrl('not a url')).toBe('<invalid URL>');
  });
});

describe('masksOf', () => {
  const mask = (frame: string, sensor: string, extra: Record<string, unknown> = {}) => ({
    _id: `m-${frame}-${sensor}`,
    frame_id: frame,
    sensor_id: sensor,
    label_url: `https://b/${frame}/${sensor}.txt`,
    ...extra,
  });

  it('lists masks in the order of annotation_data.frames, keeping their order within a frame', () => {
    const result = {
      annotation_data: {
        frames: [{ _id: '10' }, { _id: '2' }, { _id: '0' }],
        masks: [mask('0', 'a'), mask('2', 'b'), mask('9', 'a'), mask('2', 'a'), mask('10', 'z')],
      },
    } as ResultObject;
    const refs = masksOf(result);
    expect(refs.map((ref) => `${ref.frameId}/${ref.sensorId}`)).toEqual(['10/z', '2/b', '2/a', '0/a', '9/a']);
    expect(refs[0]).toEqual({ frameId: '10', sensorId: 'z', labelUrl: 'https://b/10/z.txt', maskId: 'm-10-z' });
  });

  it('falls back to sensor_data.frames for the order and to `url` for older results', () => {
    const result = {
      annotation_data: { masks: [mask('1', 's', { label_url: '', url: 'https://b/legacy.pcd' }), mask('0', 's')] },
      sensor_data: { frames: [{ frame_id: '0' }, { frame_id: '1' }] },
    } as ResultObject;
    expect(masksOf(result).map((ref) => ref.labelUrl)).toEqual(['https://b/0/s.txt', 'https://b/legacy.pcd']);
  });

  it('is empty without masks, and refuses objects it cannot read', () => {
    expect(masksOf({ annotation_data: {} } as ResultObject)).toEqual([]);
    const noUrl = { annotation_data: { masks: [mask('0', 's', { label_url: '' })] } };
    for (const bad of [{}, null, { annotation_data: { masks: {} } }, noUrl]) {
      expect(() => masksOf(bad as ResultObject)).toThrow(PlaymentMasksError);
      expect(() => masksOf(bad as ResultObject)).toThrow(expect.objectContaining({ code: 'BAD_RESULT_OBJECT' }));
    }
  });
});
