/**
 * Which object keys the listing renderers can copy as they are: "plain" keys, printable ASCII (0x20–0x7E) without
 * the characters JSON or XML text escapes (" & ' < > \). The index's keys zsets are built with notPlainKey as their
 * trees' KeyClassifier (store.ts), so a tree leaf knows how many of its keys are not plain: a listing that meets a
 * leaf without any (TreeCursor.stablePlain) decodes the leaf's bytes once as latin1 and takes each key as a substring,
 * and the JSON and XML renderers copy each key's bytes without looking at them.
 */

/** 1 for the bytes a plain key may hold. */
const PLAIN_BYTE = new Uint8Array(256);
for (let c = 0x20; c < 0x7f; c++) PLAIN_BYTE[c] = '"&\'<>\\'.includes(String.fromCharCode(c)) ? 0 : 1;

/** True when b[s, e) is not a plain key (some byte is outside printable ASCII, or one JSON or XML escapes). */
export function notPlainKey(b: Uint8Array, s: number, e: number): boolean {
  let x = 1;
  for (let i = s; i < e; i++) x &= PLAIN_BYTE[b[i]!]!;
  return x === 0;
}
