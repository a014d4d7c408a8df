/**
 * DUMP and RESTORE's payload, as Redis writes it: the value's RDB type byte and encoding (write.ts), then the
 * RDB version as 2 bytes and the CRC64 of everything before as 8 bytes, both little-endian. RESTORE accepts what
 * redis-server 7.x and this engine write (RDB versions up to RDB_MAX_VERSION, every encoding values.ts reads) and
 * answers Redis's errors: a wrong version or checksum, or a value that does not read whole ("Bad data format").
 */
import type { ValueCodec } from '../../engine/engine';
import { error, type Reply } from '../../engine/reply';
import type { Value } from '../../engine/values';
import { Crc64 } from './crc64';
import { RDB_MAX_VERSION, RDB_VERSION } from './format';
import { RdbError, Reader } from './reader';
import { readValue } from './values';
import { ChunkWriter, typeByte, writeValue } from './write';

const WRONG_VERSION_OR_CHECKSUM = error('ERR DUMP payload version or checksum are wrong');
const BAD_FORMAT = error('ERR Bad data format');

export function dumpValue(v: Value): Buffer {
  const w = new ChunkWriter();
  w.u8(typeByte(v));
  const chunks: Buffer[] = [];
  for (const c of writeValue(w, v)) chunks.push(c);
  w.flush();
  chunks.push(...w.take());
  const footer = Buffer.alloc(2);
  footer.writeUInt16LE(RDB_VERSION, 0);
  chunks.push(footer);
  const body = Buffer.concat(chunks);
  return Buffer.concat([body, new Crc64().update(body).bytes()]);
}

export function restoreValue(payload: Buffer): Value | Reply {
  if (payload.length < 10) return WRONG_VERSION_OR_CHECKSUM;
  const version = payload.readUInt16LE(payload.length - 10);
  if (version > RDB_MAX_VERSION) return WRONG_VERSION_OR_CHECKSUM;
  const body = payload.subarray(0, payload.length - 8);
  if (
    !new Crc64()
      .update(body)
      .bytes()
      .equals(payload.subarray(payload.length - 8))
  )
    return WRONG_VERSION_OR_CHECKSUM;
  const r = new Reader(payload.subarray(0, payload.length - 10), 'a DUMP payload');
  try {
    const v = readValue(r, r.u8());
    // an empty collection, a stream or a module value: nothing this engine can hold
    return v === null || typeof v === 'string' ? BAD_FORMAT : v;
  } catch (err) {
    if (err instanceof RdbError) return BAD_FORMAT;
    throw err;
  }
}

export const rdbValueCodec: ValueCodec = { dump: dumpValue, restore: restoreValue };
