// PlaymentClient options: the plain ones declared in option-table.ts and checked by the options' one validator; the
// retry policy and the callback checked here.
import { InvalidArgumentError } from '../errors.js';
import { problemOf, resolveOptions } from '../options/check.js';
import type { OptionValues, ResolvedValues } from '../options/option.js';
import type { RetryEvent } from './http.js';
import { CLIENT_DEFAULTS, CLIENT_OPTIONS, MAX_TIMER_MS } from './option-table.js';
import type { RetryOptions } from './retry.js';

export { CLIENT_DEFAULTS, MAX_TIMER_MS };

export interface PlaymentClientOptions extends OptionValues<typeof CLIENT_OPTIONS> {
  /** Default { retries: 5, minDelayMs: 200, maxDelayMs: 20000 }. */
  retry?: Partial<RetryOptions>;
  /** Called before each retry, with the failure and the wait: for logs and progress. */
  onRetry?: (event: RetryEvent) => void;
}

export interface ResolvedClientOptions extends Omit<ResolvedValues<typeof CLIENT_OPTIONS>, 'baseUrl'> {
  origin: string;
  /** The base URL's path without a trailing slash ('' for none). */
  pathPrefix: string;
  protocol: 'http:' | 'https:';
  retry: RetryOptions;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

/** Checks PlaymentClientOptions, filling in CLIENT_DEFAULTS; frozen. Throws InvalidArgumentError naming the first bad one. */
export function resolveClientOptions(options: PlaymentClientOptions): Readonly<ResolvedClientOptions> {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object');
  const { baseUrl, ...declared } = resolveOptions(CLIENT_OPTIONS, options);
  const { retry = {}, onRetry } = options;
  if (retry === null || typeof retry !== 'object') throw new InvalidArgumentError('options.retry must be an object');
  const resolvedRetry: RetryOptions = {
    retries: integer('retry.retries', retry.retries ?? CLIENT_DEFAULTS.retry.retries, 0),
    minDelayMs: integer('retry.minDelayMs', retry.minDelayMs ?? CLIENT_DEFAULTS.retry.minDelayMs, 0, MAX_TIMER_MS),
    maxDelayMs: integer('retry.maxDelayMs', retry.maxDelayMs ?? CLIENT_DEFAULTS.retry.maxDelayMs, 0, MAX_TIMER_MS),
  };
  if (resolvedRetry.maxDelayMs < resolvedRetry.minDelayMs) {
    throw new InvalidArgumentError('options.retry.maxDelayMs must be at least options.retry.minDelayMs');
  }
  if (onRetry !== undefined && typeof onRetry !== 'function') {
    throw new InvalidArgumentError('options.onRetry must be a function');
  }
  const url = new URL(baseUrl);
  return Object.freeze({
    ...declared,
    origin: url.origin,
    // A path ending in the API's version (`https://host/v1`, as the vendor's docs write request URLs) names the
    // API's root: the version is not added again (never /v1/v1/...). Any other path is a prefix (a proxy).
    pathPrefix: url.pathname.replace(/\/+$/, '').replace(/\/v1$/, ''),
    protocol: url.protocol as 'http:' | 'https:',
    retry: Object.freeze(resolvedRetry),
    onRetry,
  });
}

function integer(name: string, value: unknown, min: number, max?: number): number {
  const problem = problemOf({ kind: 'integer', min, ...(max === undefined ? {} : { max }), help: '' }, value);
  if (problem !== undefined) throw new InvalidArgumentError(`options.${name} ${problem}`);
  return value as number;
}
