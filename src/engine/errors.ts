/**
 * Redis's error replies, with Redis's exact wording (the text after the leading '-' on the wire).
 * Errors are replies, not exceptions: commands return these.
 */
import { error, type Reply } from './reply';

/** Redis's reply to a command without the `loading` flag while the dataset loads (its shared.loadingerr). */
export const LOADING_TEXT = 'LOADING Redis is loading the dataset in memory';
export const LOADING = error(LOADING_TEXT);
export const WRONGTYPE = error('WRONGTYPE Operation against a key holding the wrong kind of value');
export const SYNTAX = error('ERR syntax error');
export const NOT_INTEGER = error('ERR value is not an integer or out of range');
export const NOT_FLOAT = error('ERR value is not a valid float');
export const MIN_MAX_NOT_FLOAT = error('ERR min or max is not a float');
export const MIN_MAX_NOT_STRING = error('ERR min or max not valid string range item');
export const OVERFLOW = error('ERR increment or decrement would overflow');
export const INCR_NAN = error('ERR increment would produce NaN or Infinity');
export const NO_SUCH_KEY = error('ERR no such key');
export const INDEX_OUT_OF_RANGE = error('ERR index out of range');
export const OFFSET_OUT_OF_RANGE = error('ERR offset is out of range');
export const STRING_TOO_LONG = error('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
export const NOT_FLOAT_HASH = error('ERR hash value is not a float');
export const NOT_INTEGER_HASH = error('ERR hash value is not an integer');
export const TIMEOUT_NOT_FLOAT = error('ERR timeout is not a float or out of range');
export const DB_INDEX_OUT_OF_RANGE = error('ERR DB index is out of range');
export const NOAUTH = error('NOAUTH Authentication required.');
export const ZADD_NX_XX = error('ERR XX and NX options at the same time are not compatible');
export const ZADD_GT_LT_NX = error('ERR GT, LT, and/or NX options at the same time are not compatible');
export const ZADD_INCR_ONE_PAIR = error('ERR INCR option supports a single increment-element pair');
export const ZSCORE_NAN = error('ERR resulting score is not a number (NaN)');
export const WEIGHT_NOT_FLOAT = error('ERR weight value is not a float');
export const LIMIT_NEEDS_BY = error(
  'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
);
export const WITHSCORES_BYLEX = error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
export const NUMKEYS_ZERO = (cmd: string): Reply => error(`ERR at least 1 input key is needed for '${cmd}' command`);
export const NUMKEYS_POSITIVE = error('ERR numkeys should be greater than 0');
export const COUNT_POSITIVE = error('ERR count should be greater than 0');
export const VALUE_OUT_OF_RANGE_POSITIVE = error('ERR value is out of range, must be positive');
export const LIMIT_NEGATIVE = error("ERR LIMIT can't be negative");
export const INVALID_EXPIRE = (cmd: string): Reply => error(`ERR invalid expire time in '${cmd}' command`);
export const EXPIRE_NX_XX_GT_LT = error('ERR NX and XX, GT or LT options at the same time are not compatible');
export const EXPIRE_GT_LT = error('ERR GT and LT options at the same time are not compatible');

export const wrongArity = (name: string): Reply => error(`ERR wrong number of arguments for '${name}' command`);

export function unknownCommand(name: Buffer, args: Buffer[]): Reply {
  let tail = '';
  for (const a of args) {
    if (tail.length >= 128) break;
    tail += `'${sanitize(a.toString('latin1'), 128 - tail.length)}' `;
  }
  return error(`ERR unknown command '${sanitize(name.toString('latin1'), 128)}', with args beginning with: ${tail}`);
}

export function unknownSubcommand(sub: Buffer, cmd: string): Reply {
  return error(`ERR unknown subcommand '${sanitize(sub.toString('latin1'), 128)}'. Try ${cmd.toUpperCase()} HELP.`);
}

/** Redis replaces CR/LF and other unprintables so an error stays one line. */
export function sanitize(s: string, max: number): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  return cut.replace(/[\r\n]/g, ' ');
}
export const HINCRBYFLOAT_NAN_OR_INF = error('ERR value is NaN or Infinity');
export const VALUE_OUT_OF_RANGE = error('ERR value is out of range');
export const ZRANDMEMBER_COUNT_RANGE = error(
  'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
);
export const INVALID_CURSOR = error('ERR invalid cursor');
export const DECREMENT_OVERFLOW = error('ERR decrement would overflow');
export const SAME_OBJECT = error('ERR source and destination objects are the same');
export const INT32_RANGE = error('ERR value is out of range, value must between -2147483648 and 2147483647');
export const UNSUPPORTED_OPTION = (opt: Buffer): Reply => error(`ERR Unsupported option ${opt.toString('latin1')}`);
export const NO_LFU_POLICY = error(
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
);
