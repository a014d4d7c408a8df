/**
 * What the HTTP routes need from the S3 index library beyond `S3Index` itself: bucket existence, bucket summaries
 * with counts, and the mapping of index errors onto HttpErrors.
 */
import { bucketExists, type Result } from '../index/list';
import type { S3Index } from '../service/s3-index';
import { HttpError } from './errors';

export interface BucketSummary {
  readonly name: string;
  readonly objects: number;
  readonly bytes: number;
}

export const indexBucketExists = (index: S3Index, bucket: string): boolean => bucketExists(index.scope(), bucket);

/** Every indexed bucket with its object count and bytes (O(log n) each). */
export function bucketSummaries(index: S3Index): BucketSummary[] {
  return index.listBuckets().map((name) => {
    const st = index.stats(name);
    return { name, ...(st.ok ? st.value : { objects: 0, bytes: 0 }) };
  });
}

/** Unwraps an index result, turning its error into the matching HttpError. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  switch (r.error.code) {
    case 'NoSuchBucket':
      throw new HttpError(404, 'NoSuchBucket', r.error.message);
    case 'InvalidArgument':
      throw new HttpError(400, 'InvalidArgument', r.error.message);
    case 'WrongType':
      // data the index did not write (an old snapshot, a foreign import): say so, and how to recover
      throw new HttpError(
        409,
        'IndexConflict',
        `${r.error.message}: the bucket's index holds data it did not write; drop it with S3IDX.DROP and ingest again`,
      );
  }
}
