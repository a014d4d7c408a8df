/** Reply shapes shared by the S3IDX.* commands. */
import type { CommandContext } from '../../engine/command';
import { array, bulkStr, error, int, map, NULL, type Reply } from '../../engine/reply';
import type { IndexError } from '../list';
import type { ObjectVersion } from '../payload';
import type { IndexScope } from '../store';

export const scopeOf = (ctx: CommandContext): IndexScope => ({ db: ctx.db, now: ctx.now });

export function indexErrorReply(e: IndexError): Reply {
  switch (e.code) {
    case 'NoSuchBucket':
      return error('ERR no such bucket');
    case 'InvalidArgument':
      return error(`ERR ${e.message}`);
    case 'WrongType':
      return error('WRONGTYPE Operation against a key holding the wrong kind of value');
  }
}

/** key, size, etag (unquoted), last-modified (ISO-8601 with ms), storage-class, then the optional fields. */
export function objectReply(key: string, v: ObjectVersion): Reply {
  const fields: Array<[Reply, Reply]> = [
    [bulkStr('key'), bulkStr(key)],
    [bulkStr('size'), int(v.size)],
    [bulkStr('etag'), v.etag === undefined ? NULL : bulkStr(v.etag)],
    [bulkStr('last-modified'), bulkStr(new Date(v.lastModified).toISOString())],
    [bulkStr('storage-class'), bulkStr(v.storageClass)],
  ];
  if (v.versionId !== undefined) fields.push([bulkStr('version-id'), bulkStr(v.versionId)]);
  if (v.sequencer) fields.push([bulkStr('sequencer'), bulkStr(v.sequencer)]);
  if (v.restore) {
    const expiry = v.restore.status === 'restored' ? v.restore.expiry : undefined;
    fields.push([bulkStr('restore'), bulkStr(v.restore.status)]);
    if (expiry !== undefined) fields.push([bulkStr('restore-expiry'), bulkStr(new Date(expiry).toISOString())]);
  }
  if (v.accessTier) fields.push([bulkStr('access-tier'), bulkStr(v.accessTier)]);
  return map(fields);
}

export const stringsReply = (xs: readonly string[]): Reply => array(xs.map(bulkStr));
