/**
 * s3rver (a real S3 HTTP server on the filesystem) for tests: started on a free port in a temporary directory, with
 * the buckets asked for, and the credentials and client settings it wants. No conditional writes (see README). Its
 * PUTs answer once the object's file is written (storeBeforeAnswering), as the local emulator's do.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { storeBeforeAnswering } from '../../src/local/emulator';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  store: Parameters<typeof storeBeforeAnswering>[0];
}
const S3rver: new (opts: Record<string, unknown>) => S3rverInstance = require('s3rver');

/** The credentials s3rver knows. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface TestS3 {
  endpoint: string;
  /** its objects' directory */
  directory: string;
  /** a client of it (path-style, its credentials); destroyed by close() */
  client: S3Client;
  /** what the AWS SDK and the store read from the environment to reach it */
  env: Record<string, string>;
  close(): Promise<void>;
}

const toRemove = new Set<string>();
function removeAtExit(directory: string): void {
  if (toRemove.size === 0)
    process.once('exit', () => {
      for (const d of toRemove) fs.rmSync(d, { recursive: true, force: true });
    });
  toRemove.add(directory);
}

export async function startS3rver(buckets: readonly string[] = [], label = 's3rver'): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), `s3idx-${label}-`));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  // a PUT answered once the object is stored, as S3 answers (s3rver answers before its file is written)
  storeBeforeAnswering(server.store);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  for (const Bucket of buckets) await client.send(new CreateBucketCommand({ Bucket }));
  return {
    endpoint,
    directory,
    client,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
    async close() {
      client.destroy();
      await server.close();
      // Not now: a request still in flight (a container a test dropped, probing the store) would make s3rver write
      // into a removed directory, and its ENOENT would surface in whichever suite runs next in this worker.
      removeAtExit(directory);
    },
  };
}

/**
 * Writes an object straight into s3rver's directory layout under `bucketDir` (no request, so no event and no cost
 * per object): its body file and the `.md5` s3rver reads its ETag from. `made` remembers the folders created.
 * Returns the ETag (hex MD5).
 */
export function writeS3rverObject(bucketDir: string, key: string, body: Buffer, made: Set<string>): string {
  const etag = createHash('md5').update(body).digest('hex');
  const parts = key.split('/');
  const last = parts.pop()!;
  const dir = path.join(bucketDir, ...parts);
  if (!made.has(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    made.add(dir);
  }
  const file = path.join(dir, `${last}._S3rver_object`);
  fs.writeFileSync(file, body);
  fs.writeFileSync(`${file}.md5`, etag);
  return etag;
}

/** The path of the body file of `key` written by writeS3rverObject. */
export const s3rverObjectFile = (bucketDir: string, key: string): string =>
  `${path.join(bucketDir, ...key.split('/'))}._S3rver_object`;
