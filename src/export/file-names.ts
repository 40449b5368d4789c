// File names from API ids: nothing escapes the output folder, and distinct ids never share a file. Apart from the
// writes (files.ts), so that the threads that only write files do not load node:crypto for the hash of long ids.
import { createHash } from 'node:crypto';

// Kept as is: lowercase letters, digits, '-' and '_'. Everything else becomes %xx (lowercase hex) per UTF-8 byte
// (%uxxxx for an unpaired surrogate), so the encoding is injective, never yields '.', '..', a separator or an uppercase
// letter (case-insensitive file systems), and decodes back to the id.
const KEPT = /^[a-z0-9_-]$/;
const MAX_ENCODED = 100;
// Most ids (UUIDs, numbers) are kept whole: one test instead of one per character.
const ALL_KEPT = new RegExp(`^[a-z0-9_-]{1,${MAX_ENCODED}}$`);
const HASHED_PREFIX = 60;
// Device names Windows reserves whatever the extension: their first letter is escaped (still injective).
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/**
 * A file-name component for an id: `[a-z0-9_-]` and `%xx` (`%uxxxx`) escapes only; `%` alone for the empty id. Over 100
 * characters, a prefix, `~` and a SHA-256 of the id keep it short and still distinct.
 */
export function safeName(id: string): string {
  if (id.length === 0) return '%';
  if (ALL_KEPT.test(id) && !RESERVED.test(id)) return id;
  let name = '';
  for (const char of id) {
    if (KEPT.test(char)) name += char;
    else if (isLoneSurrogate(char)) name += `%u${char.charCodeAt(0).toString(16)}`;
    else for (const byte of Buffer.from(char, 'utf8')) name += `%${byte.toString(16).padStart(2, '0')}`;
  }
  if (RESERVED.test(name)) name = `%${name.charCodeAt(0).toString(16)}${name.slice(1)}`;
  if (name.length <= MAX_ENCODED) return name;
  let cut = HASHED_PREFIX;
  const lastEscape = name.lastIndexOf('%', cut - 1);
  if (lastEscape > cut - 3) cut = lastEscape;
  return `${name.slice(0, cut)}~${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 32)}`;
}

// UTF-8 has no encoding for an unpaired surrogate (Buffer would write U+FFFD for any of them): spell it out.
function isLoneSurrogate(char: string): boolean {
  const unit = char.charCodeAt(0);
  return char.length === 1 && unit >= 0xd800 && unit <= 0xdfff;
}

/**
 * The file name of a mask within its job's folder: `<frame>.<sensor>[.<n>]<ext>`. Encoded parts contain no '.', so
 * the parts cannot run into each other; `occurrence` (1-based) tells apart masks repeating a frame and sensor.
 */
export function maskFileName(frameId: string, sensorId: string, occurrence: number, extension: string): string {
  const repeat = occurrence > 1 ? `.${occurrence}` : '';
  return `${safeName(frameId)}.${safeName(sensorId)}${repeat}${extension}`;
}
