/**
 * The geometry behind the geo commands, step for step as Redis 7 computes it (geohash.c, geohash_helper.c), so
 * that scores, cells, search areas and distances come out bit for bit the same:
 *
 * - a point is stored in its sorted set as the 52-bit interleaved geohash of its cell at step 26 (latitude bits
 *   at even positions, longitude bits at odd ones, latitude over -85.05112878..85.05112878), as a double;
 * - a score is decoded as C converts a double to uint64_t on x86-64, then to the center of its cell, clamped;
 * - a search covers the cell of the center at a step estimated from the radius plus its 8 neighbours (some
 *   dropped when they lie outside the bounding box), each a score range [min, max) walked in score order;
 * - distances are haversine on a sphere of radius 6372797.560856 m, with correctly rounded sin, cos and asin
 *   (libm.ts) as glibc's nearly always are.
 *
 * Bit operations on up to 64 bits use BigInt where Redis relies on uint64_t wrap-around (neighbours); the hot
 * paths (encoding a point, decoding a score) work on two 32-bit halves.
 */

import { asin, cos, sin } from './libm';

export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const GEO_STEP_MAX = 26;

const D_R = Math.PI / 180.0;
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;

const TWO32 = 4294967296;

const degRad = (ang: number): number => ang * D_R;
const radDeg = (ang: number): number => ang / D_R;

/** A geohash cell: `bits` holds 2 * step interleaved bits. A zeroed cell (both 0) is one a search skips. */
export interface GeoHashBits {
  bits: bigint;
  step: number;
}

interface Range {
  min: number;
  max: number;
}

export interface GeoHashArea {
  longitude: Range;
  latitude: Range;
}

const WGS84_LONG: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const WGS84_LAT: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
/** the standard geohash ranges, for GEOHASH's strings */
export const STANDARD_LONG: Range = { min: -180, max: 180 };
export const STANDARD_LAT: Range = { min: -90, max: 90 };

/** The 16 low bits of v spread to the even bits of a 32-bit value. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v >>> 0;
}

/** The even bits of a 32-bit value, packed into 16 bits. */
function compact16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** interleave64(x, y) of geohash.c as [high 32 bits, low 32 bits]: x's bits at even positions, y's at odd ones. */
function interleave(x: number, y: number): [number, number] {
  const lo = (spread16(x) | (spread16(y) << 1)) >>> 0;
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return [hi, lo];
}

/** A double converted to uint64_t as gcc does on x86-64 (cvttsd2si), as [high, low] 32-bit halves. */
function toUint64(d: number): [number, number] {
  if (d >= 0 && d < 2 ** 64) {
    const t = Math.trunc(d);
    const hi = Math.floor(t / TWO32);
    return [hi, t - hi * TWO32];
  }
  if (d >= 2 ** 64) return [0, 0]; // (x - 2^63) overflows cvttsd2si to 2^63, xored back with 2^63: 0
  if (d < -(2 ** 63)) return [0x80000000, 0]; // the "integer indefinite" value
  // negative: the signed truncation, in two's complement
  const v = BigInt.asUintN(64, BigInt(Math.trunc(d)));
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

/**
 * geohashEncode: the cell of (longitude, latitude) at `step` over the given ranges, or undefined when the point is
 * outside the WGS84 limits or the ranges.
 */
export function encode(
  longitude: number,
  latitude: number,
  step: number,
  longRange: Range = WGS84_LONG,
  latRange: Range = WGS84_LAT,
): GeoHashBits | undefined {
  const hw = encodeHalves(longitude, latitude, step, longRange, latRange);
  if (hw === undefined) return undefined;
  return { bits: (BigInt(hw[0]) << 32n) | BigInt(hw[1]), step };
}

function encodeHalves(
  longitude: number,
  latitude: number,
  step: number,
  longRange: Range,
  latRange: Range,
): [number, number] | undefined {
  if (step > 32 || step === 0) return undefined;
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN)
    return undefined;
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max)
    return undefined;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min);
  latOffset *= 2 ** step;
  longOffset *= 2 ** step;
  // (uint32_t) of a double in [0, 2^32]: truncation (2^32 itself cannot occur below step 32)
  return interleave(Math.trunc(latOffset) >>> 0, Math.trunc(longOffset) >>> 0);
}

/**
 * The sorted-set score of a point (GEOADD): its step-26 cell aligned to 52 bits, as the double that strtod makes of
 * the integer's decimal text (correctly rounded: points at longitude 180 have bit 53 set and may lose bit 0).
 */
export function scoreOf(longitude: number, latitude: number): number {
  const hw = encodeHalves(longitude, latitude, GEO_STEP_MAX, WGS84_LONG, WGS84_LAT)!;
  // both terms are exact doubles, so their sum is the correctly rounded integer
  return hw[0] * TWO32 + hw[1];
}

/** geohashAlign52Bits as a double (exact: below 2^53 for every step under 26 and for the hash ++ of a cell). */
export function align52(h: GeoHashBits): number {
  return Number(h.bits << BigInt(52 - h.step * 2));
}

/** geohashDecode for a cell given as the halves of its bits: the cell's bounds. */
function decodeHalves(hi: number, lo: number, step: number, longRange: Range, latRange: Range): GeoHashArea {
  // deinterleave64: even bits are the latitude, odd bits the longitude
  const ilato = compact16(lo) + compact16(hi) * 65536;
  const ilono = compact16(lo >>> 1) + compact16(hi >>> 1) * 65536;
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  const div = 2 ** step;
  return {
    latitude: {
      min: latRange.min + ((ilato * 1.0) / div) * latScale,
      // (ilato + 1) is uint32_t arithmetic in C
      max: latRange.min + ((((ilato + 1) >>> 0) * 1.0) / div) * latScale,
    },
    longitude: {
      min: longRange.min + ((ilono * 1.0) / div) * longScale,
      max: longRange.min + ((((ilono + 1) >>> 0) * 1.0) / div) * longScale,
    },
  };
}

export function decodeArea(h: GeoHashBits): GeoHashArea {
  const hi = Number((h.bits >> 32n) & 0xffffffffn);
  const lo = Number(h.bits & 0xffffffffn);
  return decodeHalves(hi, lo, h.step, WGS84_LONG, WGS84_LAT);
}

/** geohashDecodeAreaToLongLat: the center of a cell, clamped to the WGS84 limits. */
function center(area: GeoHashArea): [number, number] {
  let x = (area.longitude.min + area.longitude.max) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (area.latitude.min + area.latitude.max) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

/** decodeGeohash of geo.c: the [longitude, latitude] a sorted-set score stands for (any score decodes). */
export function decodeScore(score: number): [number, number] {
  const [hi, lo] = toUint64(score);
  return center(decodeHalves(hi, lo, GEO_STEP_MAX, WGS84_LONG, WGS84_LAT));
}

const GEOALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11-character string for a score: decoded, encoded again over the standard ranges, last char '0'. */
export function geohashString(score: number): string {
  const [x, y] = decodeScore(score);
  const h = encode(x, y, 26, STANDARD_LONG, STANDARD_LAT)!;
  let s = '';
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Number((h.bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    s += GEOALPHABET[idx];
  }
  return s;
}

const MASK64 = (1n << 64n) - 1n;
const EVEN64 = 0x5555555555555555n;
const ODD64 = 0xaaaaaaaaaaaaaaaan;

function moveX(h: GeoHashBits, d: number): void {
  if (d === 0) return;
  let x = h.bits & ODD64;
  const y = h.bits & EVEN64;
  const zz = EVEN64 >> BigInt(64 - h.step * 2);
  if (d > 0) x = x + (zz + 1n);
  else {
    x = x | zz;
    x = (x - (zz + 1n)) & MASK64;
  }
  x &= ODD64 >> BigInt(64 - h.step * 2);
  h.bits = x | y;
}

function moveY(h: GeoHashBits, d: number): void {
  if (d === 0) return;
  const x = h.bits & ODD64;
  let y = h.bits & EVEN64;
  const zz = ODD64 >> BigInt(64 - h.step * 2);
  if (d > 0) y = y + (zz + 1n);
  else {
    y = y | zz;
    y = (y - (zz + 1n)) & MASK64;
  }
  y &= EVEN64 >> BigInt(64 - h.step * 2);
  h.bits = x | y;
}

export interface GeoHashNeighbors {
  north: GeoHashBits;
  south: GeoHashBits;
  east: GeoHashBits;
  west: GeoHashBits;
  north_east: GeoHashBits;
  north_west: GeoHashBits;
  south_east: GeoHashBits;
  south_west: GeoHashBits;
}

function neighbour(h: GeoHashBits, dx: number, dy: number): GeoHashBits {
  const n = { bits: h.bits, step: h.step };
  moveX(n, dx);
  moveY(n, dy);
  return n;
}

function neighbours(h: GeoHashBits): GeoHashNeighbors {
  return {
    east: neighbour(h, 1, 0),
    west: neighbour(h, -1, 0),
    south: neighbour(h, 0, -1),
    north: neighbour(h, 0, 1),
    north_west: neighbour(h, -1, 1),
    north_east: neighbour(h, 1, 1),
    south_east: neighbour(h, 1, -1),
    south_west: neighbour(h, -1, -1),
  };
}

/** geohashEstimateStepsByRadius */
export function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** The area of a search: a circle (radius) or an axis-aligned box (width × height), in `conversion` units. */
export type GeoShape =
  | { type: 'circle'; xy: [number, number]; conversion: number; radius: number }
  | { type: 'box'; xy: [number, number]; conversion: number; width: number; height: number };

/** geohashBoundingBox: [min longitude, min latitude, max longitude, max latitude] */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const [longitude, latitude] = shape.xy;
  const height = shape.conversion * (shape.type === 'circle' ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.type === 'circle' ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(latitude - latDelta)));
  const southern = latitude < 0;
  return [
    southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
    latitude - latDelta,
    southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
    latitude + latDelta,
  ];
}

const ZERO = (): GeoHashBits => ({ bits: 0n, step: 0 });
export const isZero = (h: GeoHashBits): boolean => h.bits === 0n && h.step === 0;

/**
 * geohashCalculateAreasByShapeWGS84 followed by the order membersOfAllNeighbors searches them in: the center cell,
 * then north, south, east, west, north-east, north-west, south-east, south-west (zeroed when useless).
 */
export function searchCells(shape: GeoShape): GeoHashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const [longitude, latitude] = shape.xy;
  let radiusMeters =
    shape.type === 'circle'
      ? shape.radius
      : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;

  let steps = estimateStepsByRadius(radiusMeters, latitude);
  let hash = encode(longitude, latitude, steps)!;
  let n = neighbours(hash);
  let area = decodeArea(hash);

  let decreaseStep = false;
  {
    const north = decodeArea(n.north);
    const south = decodeArea(n.south);
    const east = decodeArea(n.east);
    const west = decodeArea(n.west);
    if (north.latitude.max < maxLat) decreaseStep = true;
    if (south.latitude.min > minLat) decreaseStep = true;
    if (east.longitude.max < maxLon) decreaseStep = true;
    if (west.longitude.min > minLon) decreaseStep = true;
  }
  if (steps > 1 && decreaseStep) {
    steps--;
    hash = encode(longitude, latitude, steps)!;
    n = neighbours(hash);
    area = decodeArea(hash);
  }

  if (steps >= 2) {
    if (area.latitude.min < minLat) {
      n.south = ZERO();
      n.south_west = ZERO();
      n.south_east = ZERO();
    }
    if (area.latitude.max > maxLat) {
      n.north = ZERO();
      n.north_east = ZERO();
      n.north_west = ZERO();
    }
    if (area.longitude.min < minLon) {
      n.west = ZERO();
      n.south_west = ZERO();
      n.north_west = ZERO();
    }
    if (area.longitude.max > maxLon) {
      n.east = ZERO();
      n.south_east = ZERO();
      n.north_east = ZERO();
    }
  }
  return [hash, n.north, n.south, n.east, n.west, n.north_east, n.north_west, n.south_east, n.south_west];
}

/** geohashGetLatDistance */
function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** geohashGetDistance: haversine, in meters. */
export function distance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = sin((lat2r - lat1r) / 2);
  const a = u * u + cos(lat1r) * cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * asin(Math.sqrt(a));
}

/**
 * geoWithinShape: the distance from the shape's center to the point (meters), or undefined when it is outside.
 * A box checks the latitude distance, then the longitude distance along the point's parallel.
 */
export function distanceWithin(shape: GeoShape, x: number, y: number): number | undefined {
  const [x1, y1] = shape.xy;
  if (shape.type === 'circle') {
    const d = distance(x1, y1, x, y);
    return d > shape.radius * shape.conversion ? undefined : d;
  }
  const widthM = shape.width * shape.conversion;
  const heightM = shape.height * shape.conversion;
  if (latDistance(y, y1) > heightM / 2) return undefined;
  if (distance(x, y, x1, y) > widthM / 2) return undefined;
  return distance(x1, y1, x, y);
}
