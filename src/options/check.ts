// The one validator of declared options: the library runs it on the values it is given, the CLI on the values it
// parsed, so a value refused in either place is refused with the same words (`must be an integer from 1 to 1024`).
import { InvalidArgumentError } from '../errors.js';
import type { OptionSpec, ResolvedValues } from './option.js';

/** What is wrong with `value` for `option`, as the end of a sentence naming it; undefined for a usable value. */
export function problemOf(option: OptionSpec, value: unknown): string | undefined {
  return kindProblem(option, value) ?? option.check?.(value as never);
}

function kindProblem(option: OptionSpec, value: unknown): string | undefined {
  switch (option.kind) {
    case 'text':
    case 'path':
      return typeof value === 'string' && value.length > 0 ? undefined : 'must be a non-empty string';
    case 'url':
      return urlProblem(value);
    case 'flag':
      return typeof value === 'boolean' ? undefined : 'must be a boolean';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) && inRange(option, value)
        ? undefined
        : `must be an integer ${rangeText(option)}`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && inRange(option, value)
        ? undefined
        : `must be a number ${rangeText(option)}`;
    case 'choice':
      return option.choices!.includes(value as string) ? undefined : `must be one of ${option.choices!.join(', ')}`;
    case 'list':
      return Array.isArray(value) && value.every((item) => option.choices!.includes(item))
        ? undefined
        : `must be a list of ${option.choices!.join(', ')}`;
  }
}

function inRange(option: OptionSpec, value: number): boolean {
  const min = option.min ?? Number.NEGATIVE_INFINITY;
  return (option.aboveMin ? value > min : value >= min) && value <= (option.max ?? Number.POSITIVE_INFINITY);
}

/** `from 1 to 1024`, `>= 0`, `> 0`. */
function rangeText(option: OptionSpec): string {
  if (option.max === undefined) return `${option.aboveMin ? '>' : '>='} ${option.min}`;
  return `from ${option.min} to ${option.max}`;
}

/** What is wrong with a base URL, as the end of a sentence naming it; undefined for a usable one. */
export function urlProblem(url: unknown): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (typeof url !== 'string' || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    return 'must be an absolute http(s) URL';
  }
  if (parsed.search || parsed.hash || parsed.username || parsed.password) {
    return 'must not have credentials, a query or a fragment';
  }
  return undefined;
}

/**
 * The options of `table` read from `given`: each checked, or its default when not given. Throws InvalidArgumentError
 * naming the first bad one (`options.concurrency must be ...`, `options.view.size must be ...`).
 */
export function resolveOptions<T extends Readonly<Record<string, OptionSpec>>>(
  table: T,
  given: object,
): ResolvedValues<T> {
  const resolved: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(table)) {
    const value = (given as Record<string, unknown>)[name] ?? option.default;
    const problem = value === undefined && !option.required ? undefined : problemOf(option, value);
    if (problem !== undefined) throw new InvalidArgumentError(`options.${option.library ?? name} ${problem}`);
    resolved[name] = value;
  }
  return resolved as ResolvedValues<T>;
}
