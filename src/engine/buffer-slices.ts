/**
 * Buffer#toString without its argument handling: Node's native latin1Slice/utf8Slice when Buffer has them (every
 * Node release so far), else toString. For hot loops that decode many short strings (keys, listing rows).
 */
type Slicers = {
  latin1Slice?: (start: number, end: number) => string;
  utf8Slice?: (start: number, end: number) => string;
};
const proto = Buffer.prototype as unknown as Slicers;

/** b[start, end) as latin1 (one char per byte). */
export const latin1Slice: (b: Buffer, start: number, end: number) => string =
  typeof proto.latin1Slice === 'function'
    ? (b, start, end) => (b as unknown as Required<Slicers>).latin1Slice(start, end)
    : (b, start, end) => b.toString('latin1', start, end);

/** b[start, end) decoded as UTF-8 (invalid sequences become U+FFFD, as with toString). */
export const utf8Slice: (b: Buffer, start: number, end: number) => string =
  typeof proto.utf8Slice === 'function'
    ? (b, start, end) => (b as unknown as Required<Slicers>).utf8Slice(start, end)
    : (b, start, end) => b.toString('utf8', start, end);
