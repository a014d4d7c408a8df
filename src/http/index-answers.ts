/**
 * What the HTTP routes make of ObjectIndex answers: bucket summaries with counts, and index errors as HttpErrors.
 */
import type { Result } from '../index/list';
import type { ObjectIndex } from '../service/object-index';
import { HttpError } from './errors';

export interface BucketSummary {
  readonly name: string;
  readonly objects: number;
  readonly bytes: number;
}

/** Every indexed bucket with its object count and bytes (the stats of all of them asked at once). */
export async function bucketSummaries(index: ObjectIndex): Promise<BucketSummary[]> {
  const names = await index.listBuckets();
  return Promise.all(
    names.map(async (name) => {
      const st = await index.stats(name);
      return { name, ...(st.ok ? st.value : { objects: 0, bytes: 0 }) };
    }),
  );
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
