/** Shared bits of the sorted-set engine tests: Redis's error replies and a way to plant a non-zset key. */
import type { EngineHarness } from '../../helpers/engine';

export const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
export const SYNTAX = { error: 'ERR syntax error' };
export const NOT_FLOAT = { error: 'ERR value is not a valid float' };
export const NOT_INTEGER = { error: 'ERR value is not an integer or out of range' };
export const MIN_MAX_NOT_FLOAT = { error: 'ERR min or max is not a float' };
export const MIN_MAX_NOT_STRING = { error: 'ERR min or max not valid string range item' };
export const arity = (cmd: string) => ({ error: `ERR wrong number of arguments for '${cmd}' command` });

/** Stores a string value directly, so these tests do not depend on the string commands. */
export const putString = (h: EngineHarness, key: string): void =>
  h.engine.dbs[0]!.set(key, { type: 'string', v: Buffer.from('v') });

/** Stores a plain set directly (no set commands exist): Redis accepts sets as ZUNION/ZINTER/ZDIFF inputs. */
export const putSet = (h: EngineHarness, key: string, members: string[]): void =>
  h.engine.dbs[0]!.set(key, { type: 'set', v: new Set(members) });
