/**
 * The value types a key can hold. Keys are binary-safe: the keyspace maps the key's bytes, as a 'latin1'
 * string (one char per byte, so distinct byte strings are distinct JS strings), to one of these.
 */
import type { List } from './structures/list';
import type { SortedSet } from './structures/sortedset';

export interface StringValue {
  type: 'string';
  v: Buffer;
}
export interface HashValue {
  type: 'hash';
  /** field bytes as a latin1 string → value bytes */
  v: Map<string, Buffer>;
}
export interface ZSetValue {
  type: 'zset';
  v: SortedSet;
}
export interface ListValue {
  type: 'list';
  /** never empty while stored (the last pop deletes the key) */
  v: List;
}
export interface SetValue {
  type: 'set';
  /** member bytes as latin1 strings */
  v: Set<string>;
}

export type Value = StringValue | HashValue | ZSetValue | ListValue | SetValue;
export type ValueType = Value['type'];

/** Key bytes ⇄ keyspace string. */
export const keyOf = (b: Buffer): string => b.toString('latin1');
export const keyBytes = (k: string): Buffer => Buffer.from(k, 'latin1');
