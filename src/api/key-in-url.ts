// Whether a URL a server handed out carries the API key. Such a URL is never requested on another origin than the
// API's: the key would reach a host that must not see it (in the request line, its logs, a Referer).
import { containsKey, MIN_MASKED_KEY_LENGTH } from './redact.js';

const PIECES = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i;

/**
 * A long key is looked for anywhere in the URL, in every spelling redact() knows (as is, percent-encoded once or
 * twice, any letter case). A short one would be found in ordinary words (`k` in `mask`): there, only a host label,
 * path segment or query name or value that is the key, as is or percent-decoded, counts.
 */
export function urlHoldsKey(url: string, key: string): boolean {
  if (key.length >= MIN_MASKED_KEY_LENGTH) return containsKey(url, key);
  const match = PIECES.exec(url);
  if (!match) return containsKey(url, key);
  const [, host = '', path = '', query = ''] = match;
  const pieces = [...host.split(/[.@:]/), ...path.split('/'), ...query.split(/[&=]/)];
  return pieces.some((piece) => piece === key || percentDecoded(piece) === key);
}

// Decoded twice at most (`%256B` is `k` encoded twice); malformed escapes stay as they are.
function percentDecoded(text: string): string {
  const once = (value: string) =>
    value.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return once(once(text));
}
