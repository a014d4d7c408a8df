/** What an S3 endpoint (s3rver, the /s3 route) lists, through the AWS SDK, for tests that compare listings. */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

export interface ListedRow {
  key: string;
  size: number;
  etag: string;
}

/** An ETag without its quotes. */
export const unquote = (etag: string | undefined): string => (etag ?? '').replace(/"/g, '');

/** Every object of a bucket, paged with continuation tokens, no delimiter, in the order the endpoint lists them. */
export async function sdkListing(client: S3Client, bucket: string): Promise<ListedRow[]> {
  const rows: ListedRow[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) rows.push({ key: o.Key!, size: o.Size!, etag: unquote(o.ETag) });
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return rows;
}
