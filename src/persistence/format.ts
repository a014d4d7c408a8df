/**
 * On-disk constants of the snapshot and log formats. These numbers are stored in files that outlive the code that
 * wrote them: never renumber one, never reuse a retired one; add new ones at the end. Golden fixture files under
 * test/fixtures/persistence pin the format (a test fails when an old fixture stops loading).
 *
 * Snapshot file = header, sections, end section.
 *
 *   header   8  magic "S3IXSNAP"
 *            2  format version (u16 BE)
 *            2  flags (u16 BE, none defined: 0)
 *            8  created at, ms since the epoch (f64 BE)
 *            8  log position: the sequence number of the last log batch the snapshot contains (f64 BE, an integer)
 *            4  CRC-32 of the 28 bytes above (u32 BE)
 *   section  1  kind (SECTION_*)
 *            1  flags (SECTION_DEFLATED: the stored bytes are raw deflate of the body)
 *            4  body length (u32 BE), before compression
 *            4  stored length (u32 BE)
 *            4  CRC-32 of the 10 bytes above and the stored bytes (u32 BE)
 *            …  stored bytes
 *
 * A META section (JSON) comes first; DATA sections carry the records (below); the END section's body holds the
 * number of keys and of DATA sections, so a file cut at a section boundary is told from a whole one.
 *
 * DATA section body: a run of records, never split between sections (a large value is written as a KEY record and
 * CHUNK records, each within one section). Integers are varints (7 bits per byte, least significant first) unless
 * said otherwise; "bytes" is a varint length then the bytes.
 *
 *   REC_DB     varint db                        the database the KEY records after it belong to
 *   REC_KEY    u8 type (TYPE_*), bytes key, u8 key flags (KEY_HAS_EXPIRE), [f64 BE expiry ms], then by type:
 *              string: varint length; the bytes follow in CHUNK records
 *              hash / set / list: varint count; the elements follow in CHUNK records
 *              zset: u8 mode (ZSET_LEX | ZSET_SCORED), f64 BE common score (lex mode), u8 weights (WEIGHTS_*),
 *                    [bytes name of the weight function, WEIGHTS_DERIVED], varint count; members in CHUNK records
 *   REC_CHUNK  varint count of elements (bytes, for a string), then the elements:
 *              string: the bytes
 *              hash:   bytes field, bytes value (in the hash's iteration order, which the index relies on)
 *              set / list: bytes member
 *              zset:   in ascending (score, member) order, members front-coded within the chunk:
 *                      [f64 BE score, scored mode], varint shared prefix with the previous member, bytes suffix,
 *                      varint payload tag (0: none; else payload length + 1) and payload bytes,
 *                      [varint weight, WEIGHTS_INTEGER | f64 BE weight, WEIGHTS_FLOAT]
 *
 * Log segment file = header, batches.
 *
 *   header   8  magic "S3IXLOG1"
 *            2  format version (u16 BE)
 *            2  flags (0)
 *   batch    4  body length (u32 BE)
 *            4  CRC-32 of the body (u32 BE)
 *            …  body: varint sequence number, f64 BE time (ms) the batch ran at, varint count of entries, entries:
 *                 u8 ENTRY_COMMAND, varint db, varint argc, argc × bytes argument
 *
 * A batch is applied whole or not at all; a torn or corrupt batch ends the segment (nothing after it is read).
 */

export const SNAPSHOT_MAGIC = Buffer.from('S3IXSNAP', 'latin1');
export const LOG_MAGIC = Buffer.from('S3IXLOG1', 'latin1');

/** The version this code writes; it reads every version from 1 up to it. */
export const SNAPSHOT_FORMAT_VERSION = 1;
export const LOG_FORMAT_VERSION = 1;

export const SNAPSHOT_HEADER_BYTES = 32;
export const LOG_HEADER_BYTES = 12;
export const SECTION_HEADER_BYTES = 14;
export const BATCH_HEADER_BYTES = 8;

// section kinds
export const SECTION_META = 1;
export const SECTION_DATA = 2;
export const SECTION_END = 0xff;

// section flags
export const SECTION_DEFLATED = 1;

// records of a DATA section
export const REC_DB = 1;
export const REC_KEY = 2;
export const REC_CHUNK = 3;

// value types
export const TYPE_STRING = 1;
export const TYPE_HASH = 2;
export const TYPE_SET = 3;
export const TYPE_LIST = 4;
export const TYPE_ZSET = 5;

// key flags
export const KEY_HAS_EXPIRE = 1;

// sorted-set modes
export const ZSET_LEX = 0;
export const ZSET_SCORED = 1;

// sorted-set weights
export const WEIGHTS_NONE = 0;
export const WEIGHTS_INTEGER = 1;
export const WEIGHTS_FLOAT = 2;
/** derived from each payload by a named function on load (the S3 index: object sizes), so not stored */
export const WEIGHTS_DERIVED = 3;

// log batch entries
export const ENTRY_COMMAND = 1;

/** Limits a reader checks before it allocates (a corrupt length must not ask for gigabytes). */
export const MAX_SECTION_BYTES = 64 * 1024 * 1024;
export const MAX_BATCH_BYTES = 1024 * 1024 * 1024;
