// The one redaction of the library: every string that leaves it (error messages, `url`, `body`, `apiCode`, causes,
// summary entries, CLI lines) goes through redact() with the API key.
//
// The key is looked for in every spelling a server may echo it in: as is, percent-encoded (either case, also twice:
// `%2561`), JSON-escaped (`\/`, `\u0061`), and as HTML character references (`&#97;`, `&#x61;`, `&sol;`...).
//
// The rule depends on the key's length:
// - A key of MIN_MASKED_KEY_LENGTH characters or more is masked wherever it appears, and so is any run of at least
//   that many of its consecutive characters (a key cut off by a window, or quoted in part): each such run becomes
//   `***`. Ordinary text never holds such a run, so nothing else changes.
// - A shorter key cannot be told apart from ordinary text (`a` is in `auth-failure`), and masking its occurrences
//   would show it by their positions (`***uth-f***ilure`). So nothing is masked in prose: instead, a piece of text a
//   server supplied (a message, a code, a status, a body snippet, a URL segment) is replaced whole by WITHHELD when
//   the key appears in it in any spelling. The library's own words around such pieces are left as they are.
//
// Letter case is ignored. Other spellings (base64, a key spread over non-adjacent places) are not recognised, nor are
// runs of a long key shorter than MIN_MASKED_KEY_LENGTH.

/** Keys at least this long are masked in place; shorter ones make server text that holds them withheld whole. */
export const MIN_MASKED_KEY_LENGTH = 8;
/** What a masked run of the key becomes. */
export const MASK = '***';
/** What a server-supplied piece of text holding a short key becomes. */
export const WITHHELD = '[withheld: may quote the API key]';

/**
 * Where a string comes from. `server`: text a server supplied, redacted as one piece (withheld whole for a short
 * key). `composed`: a message of the library whose server-supplied pieces were redacted as `server` already.
 */
export type TextSource = 'server' | 'composed';

/** `text` without `key` in any spelling, by the rule above. */
export function redact(text: string, key: string, source: TextSource = 'server'): string {
  if (key.length === 0 || text.length === 0) return text;
  if (key.length >= MIN_MASKED_KEY_LENGTH) return mask(text, key);
  if (source === 'composed') return text;
  return containsKey(text, key) ? WITHHELD : text;
}

// Path segments and query names the client itself puts in URLs: never server text.
const CLIENT_SEGMENTS: ReadonlySet<string> = new Set(['', 'v1', 'projects', 'jobs', 'batch', 'attachments']);

/**
 * A URL as errors show it. A long key is masked anywhere in it; for a short key, each path segment and query value
 * is a server-supplied piece (ids, page tokens, the paths of signed URLs), except the words the client writes.
 */
export function redactUrlText(url: string, key: string): string {
  if (key.length === 0) return url;
  if (key.length >= MIN_MASKED_KEY_LENGTH) return mask(url, key);
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)([^?#]*)(\?[^#]*)?/i.exec(url);
  if (!match) return redact(url, key);
  const [, origin, path, query = ''] = match;
  const segments = path!.split('/').map((segment) => (CLIENT_SEGMENTS.has(segment) ? segment : redact(segment, key)));
  const pairs = query
    .slice(1)
    .split('&')
    .map((pair) => {
      const [name = '', ...value] = pair.split('=');
      return value.length === 0 ? redact(name, key) : `${redact(name, key)}=${redact(value.join('='), key)}`;
    });
  return `${origin}${segments.join('/')}${query ? `?${pairs.join('&')}` : ''}`;
}

// ---- Spellings: the text read as a sequence of characters, each from one spelling, with its place in the text.

interface Unit {
  char: string;
  start: number;
  end: number;
}

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  sol: '/',
  bsol: '\\',
  num: '#',
  percnt: '%',
  excl: '!',
  dollar: '$',
  lpar: '(',
  rpar: ')',
  ast: '*',
  plus: '+',
  comma: ',',
  period: '.',
  colon: ':',
  semi: ';',
  equals: '=',
  quest: '?',
  commat: '@',
  lsqb: '[',
  rsqb: ']',
  lowbar: '_',
  grave: '`',
  lcub: '{',
  rcub: '}',
  verbar: '|',
  vert: '|',
  Hat: '^',
  tilde: '~',
  dash: '-',
  hyphen: '-',
  minus: '-',
};

// One escape at a position: percent (once or twice), JSON, HTML numeric or named.
const ESCAPE =
  /%25([0-9a-f]{2})|%([0-9a-f]{2})|\\u([0-9a-f]{4})|\\([\\/"'])|&#x0*([0-9a-f]{1,6});?|&#0*([0-9]{1,7});?|&([a-z]+);/iy;

/** The text read with every escape decoded: one unit per character, spanning its spelling. */
function decodedUnits(text: string): Unit[] {
  const units: Unit[] = [];
  for (let i = 0; i < text.length; ) {
    const char = text[i]!;
    let decoded: string | undefined;
    if (char === '%' || char === '\\' || char === '&') {
      ESCAPE.lastIndex = i;
      const m = ESCAPE.exec(text);
      if (m) {
        const [whole, twice, once, json, jsonChar, hex, dec, name] = m;
        if (twice ?? once ?? json ?? hex) decoded = String.fromCodePoint(parseInt((twice ?? once ?? json ?? hex)!, 16));
        else if (dec) decoded = codePoint(Number(dec));
        else decoded = jsonChar ?? (name === undefined ? undefined : named(name));
        if (decoded !== undefined) {
          units.push({ char: decoded, start: i, end: i + whole.length });
          i += whole.length;
          continue;
        }
      }
    }
    units.push({ char, start: i, end: i + 1 });
    i++;
  }
  return units;
}

function named(name: string): string | undefined {
  if (Object.hasOwn(NAMED, name)) return NAMED[name];
  const lower = name.toLowerCase();
  return Object.hasOwn(NAMED, lower) ? NAMED[lower] : undefined;
}

function codePoint(n: number): string | undefined {
  return n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

/** The text as written, one unit per code unit: a key that holds `%` or `&` literally is found here. */
function literalUnits(text: string): Unit[] {
  return Array.from(text, (char, i) => ({ char, start: i, end: i + 1 }));
}

// Letter case is ignored throughout: a server may echo the key upper- or lower-cased.
/** Whether `text` holds the whole key in any spelling, whatever its letter case. */
export function containsKey(text: string, key: string): boolean {
  const lower = key.toLowerCase();
  if (text.toLowerCase().includes(lower)) return true;
  return decodedUnits(text)
    .map((unit) => unit.char)
    .join('')
    .toLowerCase()
    .includes(lower);
}

// ---- Masking a long key: every run of MIN_MASKED_KEY_LENGTH or more of its consecutive characters.

interface KeyRuns {
  /** Every run of MIN_MASKED_KEY_LENGTH characters of the key, lower-cased. */
  grams: Set<string>;
  /** The key's characters, lower-cased: a run can only be made of these. */
  chars: Set<string>;
}

const runsCache = new Map<string, KeyRuns>();

function keyRuns(key: string): KeyRuns {
  let runs = runsCache.get(key);
  if (!runs) {
    const lower = key.toLowerCase();
    const grams = new Set<string>();
    for (let i = 0; i + MIN_MASKED_KEY_LENGTH <= lower.length; i++)
      grams.add(lower.slice(i, i + MIN_MASKED_KEY_LENGTH));
    runs = { grams, chars: new Set(lower) };
    // One key per client, usually: keep the cache from growing with keys that come and go.
    if (runsCache.size > 16) runsCache.clear();
    runsCache.set(key, runs);
  }
  return runs;
}

// ASCII letters lower-cased in place: the length, and so every position, stays as it was.
const foldCase = (text: string) => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

/** Pushes onto `spans` every run of the key in `folded`, whose position i stands for text positions `place(i)`. */
function findRuns(
  folded: string,
  runs: KeyRuns,
  spans: Array<[number, number]>,
  place: (i: number) => [number, number],
) {
  let length = 0;
  for (let i = 0; i < folded.length; i++) {
    length = runs.chars.has(folded[i]!) ? length + 1 : 0;
    if (length < MIN_MASKED_KEY_LENGTH) continue;
    const first = i + 1 - MIN_MASKED_KEY_LENGTH;
    if (runs.grams.has(folded.slice(first, i + 1))) spans.push([place(first)[0], place(i)[1]]);
  }
}

function mask(text: string, key: string): string {
  const runs = keyRuns(key);
  // Spans of the text to mask, as [start, end) in text positions.
  const spans: Array<[number, number]> = [];
  findRuns(foldCase(text), runs, spans, (i) => [i, i + 1]);
  if (/[%\\&]/.test(text)) {
    const units = decodedUnits(text);
    // One position per unit; a character outside ASCII is none of the key's.
    const folded = foldCase(units.map((unit) => (unit.char.length === 1 ? unit.char : '\uffff')).join(''));
    findRuns(folded, runs, spans, (i) => [units[i]!.start, units[i]!.end]);
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (let i = 0; i < spans.length; ) {
    const start = spans[i]![0];
    let end = spans[i]![1];
    // Overlapping or touching runs are one masked run.
    for (i++; i < spans.length && spans[i]![0] <= end; i++) end = Math.max(end, spans[i]![1]);
    out += text.slice(at, start) + MASK;
    at = end;
  }
  return out + text.slice(at);
}

// An escape cut off by the end of the text: `%6`, `%25`, `\u00`, `&#x0`, `&am`...
const CUT_ESCAPE = /(?:%(?:25?[0-9a-f]?|[0-9a-f])?|\\(?:u[0-9a-f]{0,3})?|&(?:#x?0*[0-9a-f]*|[a-z]*))$/i;

/**
 * redact() for text cut off at its end (a window of a longer body): the key may begin in the last characters, where
 * too little of it is left to be recognised. Whatever there could be the start of the key, in any spelling, goes.
 */
export function redactCutText(text: string, key: string): string {
  if (key.length === 0) return text;
  let kept = text.replace(CUT_ESCAPE, '');
  for (const units of [literalUnits(kept), decodedUnits(kept)]) {
    for (let k = Math.min(key.length - 1, units.length); k > 0; k--) {
      const tail = units
        .slice(units.length - k)
        .map((unit) => unit.char)
        .join('');
      if (key.toLowerCase().startsWith(tail.toLowerCase())) {
        kept = kept.slice(0, units[units.length - k]!.start);
        break;
      }
    }
  }
  return redact(kept, key);
}
