import type { ListOptions } from '../../src/index/list';
import type { ObjectIndex } from '../../src/service/object-index';

/**
 * Every page of a listing through its continuation tokens, as the pages' plain data (or [the error]): what two
 * indexes that must agree are compared on.
 */
export async function allPages(index: ObjectIndex, bucket: string, opts: ListOptions, maxPages = 2000) {
  const out: unknown[] = [];
  let token: string | undefined;
  for (let n = 0; n < maxPages; n++) {
    const r = await index.listObjectsV2(bucket, { ...opts, continuationToken: token });
    if (!r.ok) return [r.error];
    const p = r.value;
    out.push({
      keys: p.contents.map((o) => [o.key, o.size, o.etag, o.lastModified, o.storageClass, o.versionId]),
      prefixes: p.commonPrefixes,
      truncated: p.isTruncated,
      keyCount: p.keyCount,
    });
    token = p.nextContinuationToken;
    if (token === undefined) return out;
  }
  throw new Error('too many pages');
}
