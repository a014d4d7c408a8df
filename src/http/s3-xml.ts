/**
 * S3 response documents: ListObjectsV2 (`ListBucketResult`), ListBuckets (`ListAllMyBucketsResult`) and
 * GetBucketLocation, plus the `encoding-type=url` encoding. Element names and order follow S3's
 * (see shared/reference/list-objects-v2.md).
 */
import { S3_XMLNS, XML_DECLARATION, xmlEscape } from './xml';

/** One listed object, as the S3 endpoint renders it. */
export interface S3ListedObject {
  readonly key: string;
  readonly size: number;
  /** without quotes */
  readonly etag?: string;
  /** ms since the epoch */
  readonly lastModified: number;
  readonly storageClass: string;
}

export interface S3ListV2Page {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter?: string;
  readonly maxKeys: number;
  readonly encodingUrl: boolean;
  readonly keyCount: number;
  readonly isTruncated: boolean;
  readonly continuationToken?: string;
  readonly nextContinuationToken?: string;
  /** echoed only when no continuation token was sent */
  readonly startAfter?: string;
  readonly contents: readonly S3ListedObject[];
  readonly commonPrefixes: readonly string[];
}

/**
 * `encoding-type=url`: percent-encodes UTF-8 bytes of everything but unreserved characters and '/'. A space is
 * written %20 (not '+'), which both unquote_plus (boto) and decodeURIComponent decode correctly; a '+' is %2B.
 */
export function s3UrlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** S3's quoted ETag; objects without one (rare: directory placeholders from some tools) get an empty quoted string. */
export const quotedEtag = (etag: string | undefined): string => `"${etag ?? ''}"`;

export const isoMillis = (ms: number): string => new Date(ms).toISOString();

export function listObjectsV2Xml(p: S3ListV2Page): string {
  const enc = p.encodingUrl ? s3UrlEncode : (s: string): string => s;
  const el = (name: string, value: string): string => `<${name}>${xmlEscape(value)}</${name}>`;
  const parts: string[] = [XML_DECLARATION, `<ListBucketResult xmlns="${S3_XMLNS}">`];
  parts.push(el('Name', p.bucket), el('Prefix', enc(p.prefix)));
  if (p.delimiter !== undefined) parts.push(el('Delimiter', enc(p.delimiter)));
  parts.push(el('MaxKeys', String(p.maxKeys)));
  if (p.encodingUrl) parts.push('<EncodingType>url</EncodingType>');
  parts.push(el('KeyCount', String(p.keyCount)), el('IsTruncated', String(p.isTruncated)));
  if (p.continuationToken !== undefined) parts.push(el('ContinuationToken', p.continuationToken));
  if (p.nextContinuationToken !== undefined) parts.push(el('NextContinuationToken', p.nextContinuationToken));
  if (p.startAfter !== undefined) parts.push(el('StartAfter', enc(p.startAfter)));
  for (const o of p.contents) parts.push(contentsXml(o, enc));
  for (const cp of p.commonPrefixes) parts.push(`<CommonPrefixes>${el('Prefix', enc(cp))}</CommonPrefixes>`);
  parts.push('</ListBucketResult>');
  return parts.join('');
}

/** One ListObjects (v1) page. */
export interface S3ListV1Page {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter?: string;
  /** the marker sent ('' when none) */
  readonly marker: string;
  readonly maxKeys: number;
  readonly encodingUrl: boolean;
  readonly isTruncated: boolean;
  /** only when truncated and a delimiter was sent (S3 leaves clients to use the last Key otherwise) */
  readonly nextMarker?: string;
  readonly contents: readonly S3ListedObject[];
  readonly commonPrefixes: readonly string[];
}

/**
 * ListObjects (v1) `ListBucketResult`: Name, Prefix, Marker, NextMarker, MaxKeys, Delimiter, EncodingType,
 * IsTruncated, Contents, CommonPrefixes. With encoding-type=url, Prefix, Marker, NextMarker, Delimiter, Key and the
 * common prefixes are URL-encoded. No Owner: the index records none.
 */
export function listObjectsV1Xml(p: S3ListV1Page): string {
  const enc = p.encodingUrl ? s3UrlEncode : (s: string): string => s;
  const el = (name: string, value: string): string => `<${name}>${xmlEscape(value)}</${name}>`;
  const parts: string[] = [XML_DECLARATION, `<ListBucketResult xmlns="${S3_XMLNS}">`];
  parts.push(el('Name', p.bucket), el('Prefix', enc(p.prefix)), el('Marker', enc(p.marker)));
  if (p.nextMarker !== undefined) parts.push(el('NextMarker', enc(p.nextMarker)));
  parts.push(el('MaxKeys', String(p.maxKeys)));
  if (p.delimiter !== undefined) parts.push(el('Delimiter', enc(p.delimiter)));
  if (p.encodingUrl) parts.push('<EncodingType>url</EncodingType>');
  parts.push(el('IsTruncated', String(p.isTruncated)));
  for (const o of p.contents) parts.push(contentsXml(o, enc));
  for (const cp of p.commonPrefixes) parts.push(`<CommonPrefixes>${el('Prefix', enc(cp))}</CommonPrefixes>`);
  parts.push('</ListBucketResult>');
  return parts.join('');
}

function contentsXml(o: S3ListedObject, enc: (s: string) => string): string {
  return (
    `<Contents><Key>${xmlEscape(enc(o.key))}</Key><LastModified>${isoMillis(o.lastModified)}</LastModified>` +
    `<ETag>${xmlEscape(quotedEtag(o.etag))}</ETag><Size>${o.size}</Size>` +
    `<StorageClass>${xmlEscape(o.storageClass)}</StorageClass></Contents>`
  );
}

export function listBucketsXml(buckets: ReadonlyArray<{ name: string; creationDate: number }>): string {
  const items = buckets
    .map(
      (b) =>
        `<Bucket><Name>${xmlEscape(b.name)}</Name><CreationDate>${isoMillis(b.creationDate)}</CreationDate></Bucket>`,
    )
    .join('');
  return (
    `${XML_DECLARATION}<ListAllMyBucketsResult xmlns="${S3_XMLNS}">` +
    '<Owner><ID>s3-index</ID><DisplayName>s3-index</DisplayName></Owner>' +
    `<Buckets>${items}</Buckets></ListAllMyBucketsResult>`
  );
}

/** GetBucketLocation: empty means us-east-1. */
export function bucketLocationXml(region: string): string {
  const value = region === 'us-east-1' ? '' : xmlEscape(region);
  return `${XML_DECLARATION}<LocationConstraint xmlns="${S3_XMLNS}">${value}</LocationConstraint>`;
}
