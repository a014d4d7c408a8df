/**
 * The RDB file format's constants, shared by the reader and the writer: the opcodes, the value type bytes, the
 * opcodes of a module's self-describing data, and the RDB versions written and read.
 *
 * Every number here is Redis's (rdb.h), on disk in files that redis-server writes and loads: they never
 * change and are never renumbered. Only names and comments may be edited; a new constant is added as Redis defines it.
 */

/** The RDB version the writer puts in its files (redis-server 7.0 writes 10). */
export const RDB_VERSION = 10;
/** The newest RDB version the reader knows (redis-server 7.2 writes 11). */
export const RDB_MAX_VERSION = 11;

// opcodes (rdb.h RDB_OPCODE_*)
export const OP_FUNCTION2 = 0xf5;
export const OP_FUNCTION_PRE_GA = 0xf6;
export const OP_MODULE_AUX = 0xf7;
export const OP_IDLE = 0xf8;
export const OP_FREQ = 0xf9;
export const OP_AUX = 0xfa;
export const OP_RESIZEDB = 0xfb;
export const OP_EXPIRETIME_MS = 0xfc;
export const OP_EXPIRETIME = 0xfd;
export const OP_SELECTDB = 0xfe;
export const OP_EOF = 0xff;

// value types (rdb.h RDB_TYPE_*; 8 is not used)
export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_ZSET_2 = 5;
export const RDB_TYPE_MODULE = 6;
export const RDB_TYPE_MODULE_2 = 7;
export const RDB_TYPE_HASH_ZIPMAP = 9;
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13;
export const RDB_TYPE_LIST_QUICKLIST = 14;
export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_HASH_LISTPACK = 16;
export const RDB_TYPE_ZSET_LISTPACK = 17;
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;
export const RDB_TYPE_SET_LISTPACK = 20;
export const RDB_TYPE_STREAM_LISTPACKS_3 = 21;

/** Each value type's name, for messages. */
export const TYPE_NAMES: Record<number, string> = {
  [RDB_TYPE_STRING]: 'string',
  [RDB_TYPE_LIST]: 'list',
  [RDB_TYPE_SET]: 'set',
  [RDB_TYPE_ZSET]: 'zset (ZSET)',
  [RDB_TYPE_HASH]: 'hash',
  [RDB_TYPE_ZSET_2]: 'zset',
  [RDB_TYPE_MODULE]: 'module (MODULE)',
  [RDB_TYPE_MODULE_2]: 'module',
  [RDB_TYPE_HASH_ZIPMAP]: 'hash (zipmap)',
  [RDB_TYPE_LIST_ZIPLIST]: 'list (ziplist)',
  [RDB_TYPE_SET_INTSET]: 'set (intset)',
  [RDB_TYPE_ZSET_ZIPLIST]: 'zset (ziplist)',
  [RDB_TYPE_HASH_ZIPLIST]: 'hash (ziplist)',
  [RDB_TYPE_LIST_QUICKLIST]: 'list (quicklist)',
  [RDB_TYPE_STREAM_LISTPACKS]: 'stream',
  [RDB_TYPE_HASH_LISTPACK]: 'hash (listpack)',
  [RDB_TYPE_ZSET_LISTPACK]: 'zset (listpack)',
  [RDB_TYPE_LIST_QUICKLIST_2]: 'list (quicklist 2)',
  [RDB_TYPE_STREAM_LISTPACKS_2]: 'stream',
  [RDB_TYPE_SET_LISTPACK]: 'set (listpack)',
  [RDB_TYPE_STREAM_LISTPACKS_3]: 'stream',
};

/** Every value type byte: what may follow as a key's type where an opcode is not. */
export const VALUE_TYPES: ReadonlySet<number> = new Set([
  RDB_TYPE_STRING,
  RDB_TYPE_LIST,
  RDB_TYPE_SET,
  RDB_TYPE_ZSET,
  RDB_TYPE_HASH,
  RDB_TYPE_ZSET_2,
  RDB_TYPE_MODULE,
  RDB_TYPE_MODULE_2,
  RDB_TYPE_HASH_ZIPMAP,
  RDB_TYPE_LIST_ZIPLIST,
  RDB_TYPE_SET_INTSET,
  RDB_TYPE_ZSET_ZIPLIST,
  RDB_TYPE_HASH_ZIPLIST,
  RDB_TYPE_LIST_QUICKLIST,
  RDB_TYPE_STREAM_LISTPACKS,
  RDB_TYPE_HASH_LISTPACK,
  RDB_TYPE_ZSET_LISTPACK,
  RDB_TYPE_LIST_QUICKLIST_2,
  RDB_TYPE_STREAM_LISTPACKS_2,
  RDB_TYPE_SET_LISTPACK,
  RDB_TYPE_STREAM_LISTPACKS_3,
]);

// module opcodes: the MODULE_2 self-describing form (rdb.h RDB_MODULE_OPCODE_*)
export const MOD_EOF = 0;
export const MOD_SINT = 1;
export const MOD_UINT = 2;
export const MOD_FLOAT = 3;
export const MOD_DOUBLE = 4;
export const MOD_STRING = 5;
