// Class colours as the vendor spells them (`rgb(71, 153, 193)`), as the export writes them (`#4799c1`).

// A project uses a few colours, each named by thousands of annotations: each spelling is parsed once. Only short
// ones are kept (a server's megabyte "colour" must not outlive its result object).
const HEX_CACHE_SIZE = 256;
const HEX_CACHE_LENGTH = 64;
const hexCache = new Map<string, string | undefined>();

/** `rgb(71, 153, 193)` (or `#4799c1`) as `#4799c1`; undefined for anything else. */
export function hexColor(color: string): string | undefined {
  if (hexCache.has(color)) return hexCache.get(color);
  const hex = parseColor(color);
  if (color.length > HEX_CACHE_LENGTH) return hex;
  if (hexCache.size >= HEX_CACHE_SIZE) hexCache.clear();
  hexCache.set(color, hex);
  return hex;
}

function parseColor(color: string): string | undefined {
  const rgb = /^\s*rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,[^)]*)?\)\s*$/i.exec(color);
  if (rgb) {
    const channels = rgb.slice(1, 4).map(Number);
    if (channels.some((value) => value > 255)) return undefined;
    return `#${channels.map((value) => value.toString(16).padStart(2, '0')).join('')}`;
  }
  return /^#[0-9a-f]{6}$/i.test(color.trim()) ? color.trim().toLowerCase() : undefined;
}
