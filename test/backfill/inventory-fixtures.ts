/**
 * An S3 Inventory generator for tests: CSV data files as AWS writes them (every value quoted, quotes doubled, no
 * header row, '\n' line ends, gzip), the Key column URL-encoded as AWS encodes it (HTML-form style, like Java's
 * URLEncoder: a space as '+', bytes outside [A-Za-z0-9.*_-] as %XX of their UTF-8 bytes), and a manifest.json
 * with the documented fields (sourceBucket, destinationBucket as an ARN, version, creationTimestamp as a string of
 * ms, fileFormat, fileSchema, files: [{ key, size, MD5checksum }]), at the documented locations:
 * destination-prefix/source-bucket/config-ID/YYYY-MM-DDTHH-MMZ/manifest.json and .../config-ID/data/<uuid>.csv.gz.
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CrawledObject } from '../../src/backfill/crawl';

/** AWS's encoding of the Key column: application/x-www-form-urlencoded over UTF-8 (space as '+'). */
export function awsEncodeKey(key: string): string {
  let out = '';
  for (const b of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9.*_-]/.test(c)) out += c;
    else if (b === 0x20) out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The other common variant (encodeURIComponent: a space as %20, '/' and a few more left alone). */
export function percentEncodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/');
}

export { rng } from '../helpers/prng';

import { rng } from '../helpers/prng';

export const csvField = (v: string) => `"${v.replace(/"/g, '""')}"`;
export const csvLine = (fields: readonly string[]) => `${fields.map(csvField).join(',')}\n`;

/**
 * ≥ 20,000 awkward keys: spaces (leading, doubled), '+', '%' (alone and as %2F/%20 lookalikes), quotes and commas,
 * every ASCII punctuation mark, a tab and a newline, accents, CJK, 4-byte characters (emoji, U+1D11E, U+2070E), deep
 * and flat folders. No empty path segment (s3rver) and no key twice.
 */
export function awkwardKeys(): string[] {
  const out: string[] = [];
  const tails = [
    '.dat',
    ' copy.dat',
    '+plus.dat',
    ' 100%.dat',
    ' café.dat',
    ' 日本語.txt',
    ' "quoted", comma.txt',
    " it's (1) [2] {3}.txt",
    ' 😀 𝄞 𠜎.bin',
    '%2F%20%.raw',
  ];
  for (let i = 0; i < 7000; i++) out.push(`flat/${String(i).padStart(5, '0')}${tails[i % tails.length]}`);
  const l1 = ['α', 'b+c', 'd e', 'f%20g', '日本', 'zz', '"q",c', '😀'];
  const l2 = ['2023', '2024', 'été', 'x y', 'a+b=c&d'];
  const l3 = ['01', '02', 'naïve', '中文', '𝄞'];
  for (const a of l1)
    for (const b of l2)
      for (const c of l3)
        for (let i = 0; i < 60; i++) out.push(`deep/${a}/${b}/${c}/IMG ${String(i).padStart(4, '0')}.jpg`);
  for (let i = 0; i < 300; i++) out.push(`deep/zz/more/levels/down/here/k${String(i).padStart(3, '0')}`);
  const punct = ' !"#$%&\'()*+,-.:;<=>?@[\\]^_`{|}~';
  for (const ch of punct) {
    out.push(`punct/${ch}`, `punct/x${ch}y`, `punct/${ch}${ch}/z`);
  }
  out.push(
    'a',
    'a-',
    'a.b',
    'a0',
    'A',
    'a-/x',
    'a/b',
    'a/c/d',
    'a b',
    'a+b',
    'a%2Fb',
    'tab\there',
    'new\nline',
    ' lead',
  );
  for (const top of ['with space', 'with', 'with+plus', '100%', 'ünïcödé', '日本', 'emoji 😀', 'q"uo"te', 'com,ma']) {
    for (let i = 0; i < 150; i++) out.push(`${top}/${String(i).padStart(3, '0')} ${top}`);
  }
  if (new Set(out).size !== out.length) throw new Error('awkwardKeys: a key twice');
  for (const k of out) if (k.split('/').some((s) => s === '')) throw new Error(`awkwardKeys: empty segment in ${k}`);
  return out;
}

const STORAGE_CLASSES = ['STANDARD', 'STANDARD_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR'];

/** Objects for keys: sizes from 0 to 5 TB, plain and multipart ETags, ms-precision times, several storage classes. */
export function objectsFor(keys: readonly string[], seed = 1): CrawledObject[] {
  const r = rng(seed);
  return keys.map((key, i) => {
    const md5 = createHash('md5').update(`${seed}:${key}`).digest('hex');
    const size = i % 97 === 0 ? 0 : i % 101 === 0 ? 5_000_000_000_000 - i : Math.floor(r() * 50_000_000);
    return {
      key,
      size,
      etag: i % 7 === 0 ? `${md5}-${1 + (i % 40)}` : md5,
      lastModified: Date.UTC(2019, 0, 1) + Math.floor(r() * 6 * 365 * 86_400_000),
      storageClass: STORAGE_CLASSES[i % STORAGE_CLASSES.length]!,
    };
  });
}

/** A row of the inventory: column name -> value (columns of the schema not given are written as ''). */
export type InventoryRow = Record<string, string>;

export const CURRENT_SCHEMA = [
  'Bucket',
  'Key',
  'Size',
  'LastModifiedDate',
  'ETag',
  'StorageClass',
  'IsMultipartUploaded',
  'ReplicationStatus',
  'EncryptionStatus',
];

export const VERSIONED_SCHEMA = [
  'Bucket',
  'Key',
  'VersionId',
  'IsLatest',
  'IsDeleteMarker',
  'Size',
  'LastModifiedDate',
  'ETag',
  'StorageClass',
  'IsMultipartUploaded',
  'ReplicationStatus',
  'EncryptionStatus',
  'ObjectLockRetainUntilDate',
  'ObjectLockMode',
  'ObjectLockLegalHoldStatus',
];

/** The row of a current object (ETag written without quotes, as inventories do). */
export function rowOf(bucket: string, o: CrawledObject, encode: (k: string) => string = awsEncodeKey): InventoryRow {
  return {
    Bucket: bucket,
    Key: encode(o.key),
    Size: String(o.size),
    LastModifiedDate: new Date(o.lastModified).toISOString(),
    ETag: o.etag,
    StorageClass: o.storageClass,
    IsMultipartUploaded: o.etag.includes('-') ? 'true' : 'false',
    ReplicationStatus: '',
    EncryptionStatus: 'SSE-S3',
  };
}

export interface InventorySpec {
  sourceBucket: string;
  destinationBucket: string;
  /** destination-prefix/source-bucket/config-ID */
  base: string;
  schema: readonly string[];
  /** the data files' rows, one array per file */
  files: InventoryRow[][];
  createdAt?: number;
  fileFormat?: string;
  /** schema text as written in the manifest (default: the names joined with ', ') */
  fileSchemaText?: string;
  /** tamper with the manifest before it is written */
  editManifest?(m: Record<string, unknown>): void;
  /** serialize a file's rows differently (default: csvLine over the schema) */
  toCsv?(rows: InventoryRow[], schema: readonly string[], fileIndex: number): string;
}

export interface BuiltInventory {
  manifestKey: string;
  manifest: Record<string, unknown>;
  objects: { key: string; body: Buffer }[];
  dataKeys: string[];
}

export function buildInventory(spec: InventorySpec): BuiltInventory {
  const createdAt = spec.createdAt ?? Date.UTC(2026, 11, 5, 0, 0);
  const stamp = new Date(createdAt).toISOString().slice(0, 16).replace(':', '-');
  const objects: { key: string; body: Buffer }[] = [];
  const files = spec.files.map((rows, i) => {
    const csv = spec.toCsv
      ? spec.toCsv(rows, spec.schema, i)
      : rows.map((r) => csvLine(spec.schema.map((c) => r[c] ?? ''))).join('');
    const body = zlib.gzipSync(Buffer.from(csv, 'utf8'));
    const uuid = createHash('sha1').update(`${spec.base}:${i}`).digest('hex');
    const key = `${spec.base}/data/${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20, 32)}.csv.gz`;
    objects.push({ key, body });
    return { key, size: body.length, MD5checksum: createHash('md5').update(body).digest('hex') };
  });
  const manifest: Record<string, unknown> = {
    sourceBucket: spec.sourceBucket,
    destinationBucket: `arn:aws:s3:::${spec.destinationBucket}`,
    version: '2016-11-30',
    creationTimestamp: String(createdAt),
    fileFormat: spec.fileFormat ?? 'CSV',
    fileSchema: spec.fileSchemaText ?? spec.schema.join(', '),
    files,
  };
  spec.editManifest?.(manifest);
  const manifestKey = `${spec.base}/${stamp}Z/manifest.json`;
  const text = JSON.stringify(manifest, null, 4);
  objects.push({ key: manifestKey, body: Buffer.from(text) });
  objects.push({
    key: `${spec.base}/${stamp}Z/manifest.checksum`,
    body: Buffer.from(createHash('md5').update(text).digest('hex')),
  });
  return { manifestKey, manifest, objects, dataKeys: files.map((f) => f.key) };
}

export async function putInventory(client: S3Client, bucket: string, inv: BuiltInventory): Promise<void> {
  for (const o of inv.objects) await client.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.body }));
}

/** Splits rows into files of the given sizes (the last takes the rest). */
export function split<T>(rows: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const n of sizes) {
    out.push(rows.slice(at, at + n));
    at += n;
  }
  out.push(rows.slice(at));
  return out;
}
