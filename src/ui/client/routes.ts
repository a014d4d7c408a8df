/**
 * The page's location as a URL hash, so that back/forward and reloads work: `#/` the bucket list, `#/BUCKET/PREFIX`
 * a folder. Each '/'-separated segment is percent-encoded on its own, so keys stay readable and any UTF-8 survives.
 */

export interface Route {
  /** undefined: the bucket list */
  readonly bucket?: string;
  /** the folder's prefix ('' for the bucket's root), ending with the delimiter */
  readonly prefix: string;
}

export const DELIMITER = '/';

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const encodePath = (text: string): string => text.split('/').map(encodeURIComponent).join('/');

export function parseHash(hash: string): Route {
  let h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h.startsWith('/')) h = h.slice(1);
  if (h === '') return { prefix: '' };
  const slash = h.indexOf('/');
  if (slash < 0) return { bucket: decode(h), prefix: '' };
  return {
    bucket: decode(h.slice(0, slash)),
    prefix: h
      .slice(slash + 1)
      .split('/')
      .map(decode)
      .join('/'),
  };
}

export function routeHash(route: Route): string {
  if (route.bucket === undefined) return '#/';
  return `#/${encodeURIComponent(route.bucket)}/${encodePath(route.prefix)}`;
}

/** The folder above `prefix` ('a/b/' → 'a/', 'a/' → ''), or undefined at the bucket's root. */
export function parentPrefix(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const body = prefix.endsWith(DELIMITER) ? prefix.slice(0, -DELIMITER.length) : prefix;
  const at = body.lastIndexOf(DELIMITER);
  return at < 0 ? '' : body.slice(0, at + DELIMITER.length);
}

/** The breadcrumbs of a folder: each ancestor's name and prefix, the folder itself last. */
export function crumbs(prefix: string): Array<{ name: string; prefix: string }> {
  const out: Array<{ name: string; prefix: string }> = [];
  let start = 0;
  for (;;) {
    const at = prefix.indexOf(DELIMITER, start);
    if (at < 0) break;
    out.push({ name: prefix.slice(start, at), prefix: prefix.slice(0, at + DELIMITER.length) });
    start = at + DELIMITER.length;
  }
  return out;
}
