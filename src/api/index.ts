// The public surface of the API client.
export { PlaymentClient } from './client.js';
export type { AttachmentCallOptions, CallOptions } from './client.js';
export type { BodyMemory } from './body.js';
export { CLIENT_DEFAULTS } from './options.js';
export type { PlaymentClientOptions } from './options.js';
export type { RetryOptions } from './retry.js';
export type { RateStats } from './rate.js';
export type { RetryEvent } from './http.js';
export { ApiError } from './errors.js';
export type { ApiErrorCode } from './errors.js';
export { redact, MIN_MASKED_KEY_LENGTH } from './redact.js';
export type { TextSource } from './redact.js';
export type * from './types.js';
