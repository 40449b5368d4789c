// One option, declared once: its name, kind, range, default, the flag and environment variable that set it on the
// command line, and its help. The library validates with it (check.ts), the CLI parses, names and documents with it,
// and the library's option types are derived from the same tables (OptionValues), so none of them can disagree.

/**
 * - `text`: a non-empty string. `path`: the same, a file or folder (the CLI refuses one that looks like an option).
 *   `url`: an absolute http(s) URL.
 * - `integer`, `number`: from `min` to `max` (a `number` may be required to be above `min`: `aboveMin`).
 * - `choice`: one of `choices`. `list`: a list of `choices` (comma-separated on the command line).
 * - `flag`: a boolean (no value on the command line).
 */
export type OptionKind = 'text' | 'path' | 'url' | 'integer' | 'number' | 'choice' | 'list' | 'flag';

export interface OptionSpec {
  kind: OptionKind;
  /** Ranges, in the library's units. No `max`: unbounded. */
  min?: number;
  max?: number;
  aboveMin?: boolean;
  choices?: readonly string[];
  /** The value that applies when none is given, in the library's units. */
  default?: string | number | boolean | readonly string[];
  /** The default as the help shows it, when it is no value: `one per CPU`, `no cap`. */
  shownDefault?: string;
  /** The library refuses to run without it. */
  required?: boolean;
  /** The flag that sets it (`max-in-flight-mib` for --max-in-flight-mib); none: no flag does. */
  flag?: string;
  /** A one-letter flag (`p` for `-p`). */
  short?: string;
  /** The value's placeholder in the help: N, DIR, URL. */
  value?: string;
  /** The flag's value times `scale` is the library's: 2^20 for a flag in MiB of an option in bytes. */
  scale?: number;
  /** The environment variable it is read from on the command line (never a flag: a secret). */
  env?: string;
  /** A further check after the kind's, as the end of a sentence naming the option (an API key's characters). */
  check?: (value: never) => string | undefined;
  /** The help line of the flag. */
  help: string;
  /** The library option it sets, as messages name it (`concurrency`, `faults.rate`); filled in by declareOptions. */
  library?: string;
}

/**
 * A table of options keyed by the library's names: each entry learns its name (`library`), and is frozen. `under`
 * names the object the options sit in (`thresholds` for `options.thresholds.farMetres`).
 */
export function declareOptions<const T extends Record<string, OptionSpec>, const P extends string = never>(
  table: T,
  under?: P,
): { readonly [K in keyof T]: Readonly<T[K] & { library: [P] extends [never] ? K : `${P}.${K & string}` }> } {
  return Object.freeze(
    Object.fromEntries(
      Object.entries(table).map(([name, option]) => [
        name,
        Object.freeze({ ...option, library: under === undefined ? name : `${under}.${name}` }),
      ]),
    ),
  ) as never;
}

/** The defaults a table declares, by name: the one place a default is written. */
export function defaultsOf<T extends Readonly<Record<string, OptionSpec>>>(
  table: T,
): Readonly<{ [K in keyof T as T[K] extends { default: unknown } ? K : never]: ValueOf<T[K]> }> {
  return Object.freeze(
    Object.fromEntries(
      Object.entries(table).flatMap(([name, option]) => (option.default === undefined ? [] : [[name, option.default]])),
    ),
  ) as never;
}

/** The type of an option's value in the library. */
export type ValueOf<O> = O extends { kind: 'flag' }
  ? boolean
  : O extends { kind: 'integer' | 'number' }
    ? number
    : O extends { kind: 'choice'; choices: readonly (infer C)[] }
      ? C
      : O extends { kind: 'list'; choices: readonly (infer C)[] }
        ? readonly C[]
        : string;

type RequiredNames<T> = { [K in keyof T]: T[K] extends { required: true } ? K : never }[keyof T];

/** The library's options declared by a table: every one optional but those `required`. */
export type OptionValues<T> = { -readonly [K in keyof T]?: ValueOf<T[K]> } & {
  -readonly [K in RequiredNames<T>]-?: ValueOf<T[K]>;
};

/** The options once checked and defaulted: those with a default always hold a value. */
export type ResolvedValues<T> = {
  -readonly [K in keyof T]: T[K] extends { default: unknown } | { required: true }
    ? ValueOf<T[K]>
    : ValueOf<T[K]> | undefined;
};

/** The option as its flag takes it: range and default in the flag's units (`--max-mask-mib` in MiB). */
export function inFlagUnits(option: OptionSpec): OptionSpec {
  const scale = option.scale;
  if (scale === undefined) return option;
  return {
    ...option,
    ...(option.min === undefined ? {} : { min: Math.ceil(option.min / scale) }),
    ...(option.max === undefined ? {} : { max: Math.floor(option.max / scale) }),
    ...(typeof option.default === 'number' ? { default: option.default / scale } : {}),
  };
}

/** The values among `values` that `table` declares: one object's options sorted out for the library that takes them. */
export function valuesOf<T extends Readonly<Record<string, OptionSpec>>>(
  table: T,
  values: object,
): Partial<OptionValues<T>> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => Object.hasOwn(table, name))) as never;
}
