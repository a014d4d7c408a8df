/**
 * Fixed cases of the geo commands, with the replies redis-server 7.0 gives (recorded from it): scores, decoded
 * coordinates, distances, geohash strings, the order of unsorted results, errors and their order, RESP3 shapes,
 * stores, and the table metadata (COMMAND INFO, GETKEYS).
 */
import { distanceText, fixedExact, humanCoordinate } from '../../../src/engine/commands/geo/format';
import { scoreOf } from '../../../src/engine/commands/geo/geometry';
import { asin, cos, sin } from '../../../src/engine/commands/geo/libm';
import { pqsort } from '../../../src/engine/commands/geo/search';
import { createEngine } from '../../../src/service/create-engine';
import { engineHarness } from '../../helpers/engine';

const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
const SYNTAX = { error: 'ERR syntax error' };

function sicily() {
  const h = engineHarness();
  h.exec('geoadd', 'k', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
  h.exec('geoadd', 'k', '180', '85.05112878', 'b', '-180', '-85.05112878', 'c', '0', '0', 'd', '180', '0', 'e');
  return h;
}

describe('GEOADD', () => {
  it('stores 52-bit geohashes as ZADD scores, as Redis does (edges of the map included)', () => {
    const { exec } = sicily();
    expect(exec('zrange', 'k', '0', '-1', 'withscores')).toEqual([
      'c',
      0,
      'd',
      3377699720527872,
      'Palermo',
      3479099956230698,
      'Catania',
      3479447370796909,
      'e',
      10133099161583616,
      'b',
      13510798882111488,
    ]);
    // longitude 180 sets bit 53: an odd geohash rounds to an even double, as strtod rounds Redis's integer text
    expect(scoreOf(180, 1.123456789)).toBe(10133186403438916);
  });

  it('NX, XX and CH are ZADD options; the reply counts as ZADD does', () => {
    const { exec } = sicily();
    expect(exec('geoadd', 'k', 'nx', 'ch', '1', '1', 'd', '2', '2', 'new')).toBe(1);
    expect(exec('geoadd', 'k', 'xx', '1', '1', 'd', '3', '3', 'other')).toBe(0);
    expect(exec('geoadd', 'k', 'XX', 'CH', '1', '2', 'd')).toBe(1);
    expect(exec('geoadd', 'k', 'ch', '1', '2', 'd')).toBe(0);
    expect(exec('zscore', 'k', 'other')).toBeNull();
  });

  it('errors: syntax, NX with XX, GT (not an option here), coordinates out of range, not a float, WRONGTYPE', () => {
    const { exec } = sicily();
    expect(exec('geoadd', 'k', '1', '1', 'a', '2')).toEqual(SYNTAX);
    expect(exec('geoadd', 'k', 'nx', 'xx', '1', '1', 'a')).toEqual(SYNTAX);
    expect(exec('geoadd', 'k', 'gt', '1', '1', 'a')).toEqual(SYNTAX);
    expect(exec('geoadd', 'k', 'nx', 'ch', 'ch')).toEqual(SYNTAX);
    expect(exec('geoadd', 'k', '200', '100', 'x')).toEqual({
      error: 'ERR invalid longitude,latitude pair 200.000000,100.000000',
    });
    expect(exec('geoadd', 'k', 'inf', '1', 'x')).toEqual({ error: 'ERR invalid longitude,latitude pair inf,1.000000' });
    expect(exec('geoadd', 'k', '0', '-85.05112879', 'x')).toEqual({
      error: 'ERR invalid longitude,latitude pair 0.000000,-85.051129',
    });
    expect(exec('geoadd', 'k', 'abc', '1', 'x')).toEqual({ error: 'ERR value is not a valid float' });
    expect(exec('geoadd', 'k', '1e400', '1', 'x')).toEqual({ error: 'ERR value is not a valid float' });
    // nothing was added by a command that failed on its second point
    expect(exec('geoadd', 'k', '1', '1', 'first', '1', '91', 'second')).toEqual({
      error: 'ERR invalid longitude,latitude pair 1.000000,91.000000',
    });
    expect(exec('zscore', 'k', 'first')).toBeNull();
    exec('set', 's', 'v');
    expect(exec('geoadd', 's', '1', '1', 'x')).toEqual(WRONGTYPE);
    expect(exec('geoadd', 'k', '1', '1')).toEqual({ error: "ERR wrong number of arguments for 'geoadd' command" });
  });
});

describe('GEOPOS, GEOHASH, GEODIST', () => {
  it('GEOPOS decodes the cell center, printed "%.17Lf" without trailing zeros', () => {
    const { exec } = sicily();
    expect(exec('geopos', 'k', 'Palermo', 'b', 'c', 'd', 'nope')).toEqual([
      ['13.36138933897018433', '38.11555639549629859'],
      ['180', '85.0511287799999991'],
      ['-179.99999731779098511', '-85.05112751263942528'],
      ['0.00000268220901489', '0.00000126736058093'],
      null,
    ]);
    expect(exec('geopos', 'missing', 'a', 'b')).toEqual([null, null]);
  });

  it('GEOPOS and GEOHASH decode any score as Redis does (a double converted to uint64_t, then clamped)', () => {
    const { exec } = engineHarness();
    exec('zadd', 'w', '1.5', 'a', '-1', 'b', 'inf', 'c', '-inf', 'd', '1e300', 'e', '-1e19', 'f');
    expect(exec('geopos', 'w', 'a', 'b', 'c', 'd', 'e', 'f')).toEqual([
      ['-179.99999731779098511', '-85.05112497791824921'],
      ['180', '85.0511287799999991'],
      ['-179.99999731779098511', '-85.05112751263942528'],
      ['180', '-85.05112751263942528'],
      ['-179.99999731779098511', '-85.05112751263942528'],
      ['180', '-85.05112751263942528'],
    ]);
    expect(exec('geohash', 'w', 'a', 'b', 'c')).toEqual(['00bh0hbj210', 'bp05b5048p0', '00bh0hbj200']);
  });

  it('GEOHASH gives the standard 11-character geohash (the last character always 0)', () => {
    const { exec } = sicily();
    expect(exec('geohash', 'k', 'Palermo', 'Catania', 'b', 'c', 'd', 'e', 'nope')).toEqual([
      'sqc8b49rny0',
      'sqdtr74hyu0',
      'bp05b5048p0',
      '00bh0hbj200',
      's0000000000',
      '80000000000',
      null,
    ]);
  });

  it('GEODIST: 4 decimals, in M, KM, FT or MI (any case); nil for a missing key or member', () => {
    const { exec } = sicily();
    expect(exec('geodist', 'k', 'Palermo', 'Catania')).toBe('166274.1516');
    expect(exec('geodist', 'k', 'Palermo', 'Catania', 'km')).toBe('166.2742');
    expect(exec('geodist', 'k', 'Palermo', 'Catania', 'MI')).toBe('103.3182');
    expect(exec('geodist', 'k', 'Palermo', 'Catania', 'Ft')).toBe('545518.8700');
    expect(exec('geodist', 'k', 'Palermo', 'Palermo')).toBe('0.0000');
    expect(exec('geodist', 'k', 'Palermo', 'nope')).toBeNull();
    expect(exec('geodist', 'missing', 'a', 'b')).toBeNull();
    expect(exec('geodist', 'k', 'Palermo', 'Catania', 'yd')).toEqual({
      error: 'ERR unsupported unit provided. please use M, KM, FT, MI',
    });
    // the unit is checked before the key, extra arguments before anything
    expect(exec('geodist', 'missing', 'a', 'b', 'yd')).toEqual({
      error: 'ERR unsupported unit provided. please use M, KM, FT, MI',
    });
    expect(exec('geodist', 'k', 'a', 'b', 'km', 'x')).toEqual(SYNTAX);
    exec('set', 's', 'v');
    expect(exec('geodist', 's', 'a', 'b')).toEqual(WRONGTYPE);
    expect(exec('geopos', 's', 'a')).toEqual(WRONGTYPE);
    expect(exec('geohash', 's', 'a')).toEqual(WRONGTYPE);
  });

  it('RESP3: GEODIST is still a bulk string, coordinates are doubles, a missing member a null', () => {
    const { raw, session } = sicily();
    session.resp = 3;
    expect(raw('geodist', 'k', 'Palermo', 'Catania')).toEqual({ t: 'bulk', v: Buffer.from('166274.1516') });
    expect(raw('geopos', 'k', 'Palermo', 'nope')).toEqual({
      t: 'array',
      v: [
        {
          t: 'array',
          v: [
            // the value, and Redis's text for it ("%.17Lf" of the exact value, trailing zeros removed)
            { t: 'double', v: 13.361389338970184, text: '13.36138933897018433' },
            { t: 'double', v: 38.1155563954963, text: '38.11555639549629859' },
          ],
        },
        { t: 'nullarray' },
      ],
    });
    expect(raw('geohash', 'k', 'nope')).toEqual({ t: 'array', v: [{ t: 'null' }] });
  });
});

describe('GEOSEARCH, GEORADIUS and their stores', () => {
  it('unsorted results come in Redis order: the center cell, then its neighbours, each in score order', () => {
    const { exec } = sicily();
    expect(exec('georadius', 'k', '15', '37', '20000', 'km')).toEqual(['d', 'Palermo', 'Catania', 'c']);
    expect(exec('georadius', 'k', '15', '37', '20000', 'km', 'WITHDIST')).toEqual([
      ['d', '4395.4612'],
      ['Palermo', '190.4424'],
      ['Catania', '56.4413'],
      ['c', '14656.0981'],
    ]);
    // COUNT sorts ascending; COUNT ANY stops at the first points found, unsorted
    expect(exec('georadius', 'k', '15', '37', '20000', 'km', 'COUNT', '3')).toEqual(['Catania', 'Palermo', 'd']);
    expect(exec('georadius', 'k', '15', '37', '20000', 'km', 'COUNT', '3', 'ANY')).toEqual(['d', 'Palermo', 'Catania']);
  });

  it('a search that keeps the cells on every side lists them center, N, S, E, W, NE, NW, SE, SW (recorded)', () => {
    const { exec } = engineHarness();
    exec(
      'geoadd',
      'eq',
      '-50',
      '0',
      'w50',
      '-30',
      '10',
      'w30',
      '-10',
      '-5',
      'w10',
      '10',
      '5',
      'e10',
      '30',
      '-10',
      'e30',
    );
    exec('geoadd', 'eq', '50', '0', 'e50', '0', '40', 'n40', '0', '-40', 's40');
    const all = ['e10', 'n40', 'e50', 's40', 'e30', 'w50', 'w30', 'w10'];
    expect(exec('georadius', 'eq', '1', '1', '6000', 'km')).toEqual(all);
    expect(exec('geosearch', 'eq', 'fromlonlat', '1', '1', 'bybox', '12000', '12000', 'km')).toEqual(all);
    expect(exec('georadius', 'eq', '20', '1', '4000', 'km')).toEqual(['e10', 'e50', 'e30', 'w10']);
    // a search that keeps both the east and the west cells, a point in each
    exec('geoadd', 'r2', '-22.749', '-22.5913', 'c', '-22.749', '-20.36278', 'n', '-22.749', '-43.42556', 's');
    exec('geoadd', 'r2', '0.9', '-22.5913', 'e', '-45.9', '-22.5913', 'w', '-45.9', '-20.36278', 'nw');
    expect(exec('georadius', 'r2', '-22.749', '-22.5913', '2429.7', 'km')).toEqual(['c', 'n', 's', 'e', 'w', 'nw']);
    expect(exec('georadius', 'r2', '-22.749', '-22.5913', '2429.7', 'km', 'count', '3', 'any')).toEqual([
      'c',
      'n',
      's',
    ]);
    // a box whose points all fall in the center cell: score order
    const ring: Array<[string, string, string]> = [
      ['-34.369964', '-25.861447', 'c'],
      ['-34.369964', '-13.103777', 'n'],
      ['-34.369964', '-38.619116', 's'],
      ['-7.369964', '-25.861447', 'e'],
      ['-61.369964', '-25.861447', 'w'],
      ['-7.369964', '-13.103777', 'ne'],
      ['-61.369964', '-13.103777', 'nw'],
      ['-7.369964', '-38.619116', 'se'],
      ['-61.369964', '-38.619116', 'sw'],
    ];
    exec('geoadd', 'ring', ...ring.flat());
    const box = ['fromlonlat', '-29.814234', '-27.832303', 'bybox', '7081', '7081', 'km'];
    expect(exec('geosearch', 'ring', ...box)).toEqual(['sw', 'w', 'nw', 's', 'c', 'se', 'e', 'n', 'ne']);
    expect(exec('geosearch', 'ring', ...box, 'count', '4', 'any')).toEqual(['sw', 'w', 'nw', 's']);
  });

  it('WITHDIST, WITHHASH and WITHCOORD: member, distance, hash, coordinates, in that order', () => {
    const { exec } = sicily();
    expect(
      exec(
        'geosearch',
        'k',
        'FROMLONLAT',
        '15',
        '37',
        'BYRADIUS',
        '200',
        'km',
        'WITHCOORD',
        'WITHHASH',
        'WITHDIST',
        'ASC',
      ),
    ).toEqual([
      ['Catania', '56.4413', 3479447370796909, ['15.08726745843887329', '37.50266842333162032']],
      ['Palermo', '190.4424', 3479099956230698, ['13.36138933897018433', '38.11555639549629859']],
    ]);
    expect(exec('georadiusbymember_ro', 'k', 'Palermo', '200', 'km', 'DESC')).toEqual(['Catania', 'Palermo']);
    expect(exec('georadiusbymember', 'k', 'Palermo', '200', 'km', 'WITHDIST')).toEqual([
      ['Palermo', '0.0000'],
      ['Catania', '166.2742'],
    ]);
    expect(exec('geosearch', 'k', 'FROMMEMBER', 'd', 'BYBOX', '40000', '40000', 'km', 'DESC', 'WITHDIST')).toEqual([
      ['c', '10560.8119'],
      ['Palermo', '4454.7330'],
      ['Catania', '4449.6959'],
      ['d', '0.0000'],
    ]);
    expect(exec('georadius', 'k', '180', '85.05112878', '100', 'km', 'WITHCOORD')).toEqual([
      ['b', ['180', '85.0511287799999991']],
    ]);
    expect(exec('georadius', 'k', '0', '0', '0', 'km')).toEqual([]);
  });

  it('GEOSEARCHSTORE and STORE / STOREDIST write a sorted set (geohashes or distances) and reply its size', () => {
    const { exec } = sicily();
    expect(exec('geosearchstore', 'dst', 'k', 'FROMMEMBER', 'd', 'BYBOX', '40000', '40000', 'km', 'STOREDIST')).toBe(4);
    expect(exec('zrange', 'dst', '0', '-1', 'withscores')).toEqual([
      'd',
      0,
      'Catania',
      4449.6958942340216,
      'Palermo',
      4454.7330204170848,
      'c',
      10560.811916904828,
    ]);
    expect(exec('georadius', 'k', '15', '37', '200', 'km', 'STORE', 'dst')).toBe(2);
    expect(exec('zrange', 'dst', '0', '-1', 'withscores')).toEqual([
      'Palermo',
      3479099956230698,
      'Catania',
      3479447370796909,
    ]);
    // nothing found: the destination is deleted; a missing source: deleted too, reply 0
    exec('set', 'str', 'v');
    expect(exec('geosearchstore', 'str', 'k', 'FROMLONLAT', '0', '50', 'BYRADIUS', '1', 'm')).toBe(0);
    expect(exec('exists', 'str')).toBe(0);
    expect(exec('georadiusbymember', 'missing', 'nope', 'a', 'b', 'STORE', 'dst')).toBe(0);
    expect(exec('exists', 'dst')).toBe(0);
  });

  it('errors, in Redis order', () => {
    const { exec } = sicily();
    const e = (error: string) => ({ error });
    expect(exec('geosearch', 'k', 'FROMMEMBER', 'd', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'm')).toEqual(SYNTAX);
    expect(exec('geosearch', 'k', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'm', 'BYBOX', '1', '1', 'm')).toEqual(
      SYNTAX,
    );
    expect(exec('geosearch', 'k', 'FROMLONLAT', '1', '1', 'COUNT', '2')).toEqual(
      e('ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch'),
    );
    expect(exec('GEOSEARCH', 'k', 'BYRADIUS', '1', 'm', 'ASC', 'WITHDIST')).toEqual(
      e('ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH'),
    );
    expect(exec('geosearch', 'k', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'm', 'ANY')).toEqual(
      e('ERR the ANY argument requires COUNT argument'),
    );
    expect(exec('geosearchstore', 'd', 'k', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'm', 'WITHDIST')).toEqual(
      e('ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options'),
    );
    expect(exec('georadius', 'k', '1', '1', '1', 'm', 'STORE', 'x', 'WITHHASH')).toEqual(
      e('ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options'),
    );
    expect(exec('georadius_ro', 'k', '1', '1', '1', 'm', 'STORE', 'x')).toEqual(SYNTAX);
    expect(exec('georadiusbymember_ro', 'k', 'Palermo', '1', 'm', 'STOREDIST', 'x')).toEqual(SYNTAX);
    expect(exec('geosearch', 'k', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'm', 'STOREDIST')).toEqual(SYNTAX);
    expect(exec('georadius', 'k', '1', '1', '-1', 'm')).toEqual(e('ERR radius cannot be negative'));
    expect(exec('georadius', 'k', '1', '1', 'a', 'm')).toEqual(e('ERR need numeric radius'));
    expect(exec('georadius', 'k', '1', '1', '1', 'yd')).toEqual(
      e('ERR unsupported unit provided. please use M, KM, FT, MI'),
    );
    expect(exec('geosearch', 'k', 'FROMLONLAT', '1', '1', 'BYBOX', 'a', '1', 'm')).toEqual(e('ERR need numeric width'));
    expect(exec('geosearch', 'k', 'FROMLONLAT', '1', '1', 'BYBOX', '1', 'a', 'm')).toEqual(
      e('ERR need numeric height'),
    );
    expect(exec('geosearch', 'k', 'FROMLONLAT', '1', '1', 'BYBOX', '-1', '1', 'm')).toEqual(
      e('ERR height or width cannot be negative'),
    );
    expect(exec('geosearch', 'k', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '1', 'm', 'COUNT', '0')).toEqual(
      e('ERR COUNT must be > 0'),
    );
    expect(exec('geosearch', 'k', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '1', 'm', 'COUNT', 'x')).toEqual(
      e('ERR value is not an integer or out of range'),
    );
    expect(exec('geosearch', 'k', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '1', 'm', 'COUNT')).toEqual(SYNTAX);
    expect(exec('geosearch', 'k', 'FROMMEMBER', 'nope', 'BYBOX', '1', '1', 'm')).toEqual(
      e('ERR could not decode requested zset member'),
    );
    expect(exec('georadiusbymember', 'k', 'nope', '1', 'm')).toEqual(e('ERR could not decode requested zset member'));
    // a missing source: its member and radius are never looked at
    expect(exec('geosearch', 'missing', 'FROMMEMBER', 'nope', 'BYBOX', '1', '1', 'm')).toEqual([]);
    expect(exec('georadiusbymember', 'missing', 'nope', 'a', 'b')).toEqual([]);
    exec('set', 's', 'v');
    expect(exec('geosearch', 's', 'FROMMEMBER', 'nope', 'BYBOX', '1', '1', 'm')).toEqual(WRONGTYPE);
    expect(exec('georadius', 's', '500', '1', '1', 'm')).toEqual(WRONGTYPE);
  });

  it('COUNT below the number of equally distant points: the partial quicksort picks and orders them as Redis', () => {
    const { exec } = engineHarness();
    const args: string[] = [];
    for (let i = 0; i < 12; i++) args.push('10', '10', `same${i}`);
    for (let i = 0; i < 12; i++) args.push('10.01', '10', `east${i}`);
    exec('geoadd', 'g', ...args);
    // recorded from redis-server 7.0.15
    expect(exec('geosearch', 'g', 'FROMLONLAT', '10.01', '10', 'BYRADIUS', '5', 'km', 'COUNT', '9', 'DESC')).toEqual([
      'same0',
      'same10',
      'same11',
      'same2',
      'same3',
      'same4',
      'same5',
      'same6',
      'same7',
    ]);
  });
});

describe('helpers', () => {
  it('pqsort sorts the requested ranks, like a full sort, for many sizes', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let n = 0; n < 120; n++) {
      const a = Array.from({ length: n }, () => Math.floor(rnd() * 10));
      const k = Math.floor(rnd() * n);
      const b = a.slice();
      pqsort(b, (x, y) => x - y, 0, k);
      expect(b.slice(0, k + 1)).toEqual(
        a
          .slice()
          .sort((x, y) => x - y)
          .slice(0, k + 1),
      );
      expect(b.slice().sort()).toEqual(a.slice().sort());
    }
  });

  it('printf-style formatting: exact, half to even', () => {
    expect(fixedExact(0.0078125, 6)).toBe('0.007812');
    expect(fixedExact(0.0234375, 6)).toBe('0.023438');
    expect(fixedExact(-0, 6)).toBe('-0.000000');
    expect(fixedExact(1e22, 2)).toBe('10000000000000000000000.00');
    expect(humanCoordinate(-1e-20)).toBe('0');
    expect(humanCoordinate(180)).toBe('180');
    expect(distanceText(0.03125)).toBe('0.0312');
    expect(distanceText(0.09375)).toBe('0.0938');
  });

  it('sin, cos and asin are correctly rounded (values checked against glibc)', () => {
    expect(sin(-0.3856049826093416)).toBe(-0.3761197649193676);
    expect(cos(0.5)).toBe(0.8775825618903728);
    expect(asin(1)).toBe(Math.PI / 2);
    expect(asin(0.5)).toBe(0.5235987755982989);
    expect(sin(Math.PI)).toBe(1.2246467991473532e-16);
  });
});

describe('command table', () => {
  it('COMMAND INFO: arity, flags, keys and categories as Redis 7 reports them (without movablekeys)', () => {
    const { exec } = engineHarness();
    const info = exec(
      'command',
      'info',
      'geoadd',
      'georadius',
      'geosearch',
      'geosearchstore',
      'georadius_ro',
    ) as unknown[][];
    expect(info.map((c) => c.slice(0, 7))).toEqual([
      ['geoadd', -5, ['write', 'denyoom'], 1, 1, 1, ['@write', '@geo', '@slow']],
      ['georadius', -6, ['write', 'denyoom'], 1, 1, 1, ['@write', '@geo', '@slow']],
      ['geosearch', -7, ['readonly'], 1, 1, 1, ['@read', '@geo', '@slow']],
      ['geosearchstore', -8, ['write', 'denyoom'], 1, 2, 1, ['@write', '@geo', '@slow']],
      ['georadius_ro', -6, ['readonly'], 1, 1, 1, ['@read', '@geo', '@slow']],
    ]);
  });

  it('COMMAND GETKEYS finds the STORE and STOREDIST keys of GEORADIUS', () => {
    const { exec } = engineHarness();
    expect(
      exec('command', 'getkeys', 'georadius', 'src', '1', '1', '1', 'km', 'STORE', 'd1', 'storedist', 'd2'),
    ).toEqual(['src', 'd1', 'd2']);
    expect(exec('command', 'getkeys', 'georadiusbymember', 'src', 'm', '1', 'km', 'STORE', 'd1')).toEqual([
      'src',
      'd1',
    ]);
    expect(
      exec('command', 'getkeys', 'geosearchstore', 'dst', 'src', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'm'),
    ).toEqual(['dst', 'src']);
  });
});

describe('the S3 index keys', () => {
  it('geo writes into them are refused, stores included (GEORADIUS: its STORE keys are found by keyword)', () => {
    const engine = createEngine();
    const run = (...a: string[]) => engine.execute(a.map((s) => Buffer.from(s)));
    const refused = expect.objectContaining({ t: 'error', v: expect.stringMatching(/^NOPERM 's3idx:z' belongs/) });
    expect(run('geoadd', 'g', '1', '1', 'a')).toEqual({ t: 'int', v: 1 });
    expect(run('geoadd', 's3idx:z', '1', '1', 'a')).toEqual(refused);
    expect(run('georadius', 'g', '1', '1', '10', 'km', 'STORE', 's3idx:z')).toEqual(refused);
    expect(run('georadiusbymember', 'g', 'a', '10', 'km', 'STOREDIST', 's3idx:z')).toEqual(refused);
    expect(run('geosearchstore', 's3idx:z', 'g', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km')).toEqual(refused);
    expect(run('georadius', 'g', '1', '1', '10', 'km', 'STOREDIST', 'ok')).toEqual({ t: 'int', v: 1 });
    // reading them is fine, with GEORADIUS itself too when it stores nothing there
    expect(run('georadius', 's3idx:z', '1', '1', '1', 'km')).toEqual({ t: 'array', v: [] });
    expect(run('geosearch', 's3idx:z', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km')).toEqual({ t: 'array', v: [] });
    expect(run('georadius_ro', 's3idx:z', '1', '1', '1', 'km')).toEqual({ t: 'array', v: [] });
  });
});

describe('a large set', () => {
  it('a search over 50,000 points finds thousands, sorted by distance', () => {
    const { exec } = engineHarness();
    let s = 1;
    const rnd = () => {
      s = (s * 16807) % 2147483647;
      return s / 2147483647;
    };
    for (let batch = 0; batch < 50; batch++) {
      const args: string[] = [];
      for (let i = 0; i < 1000; i++)
        args.push((rnd() * 20 - 10).toFixed(6), (rnd() * 20 + 40).toFixed(6), `p${batch * 1000 + i}`);
      exec('geoadd', 'big', ...args);
    }
    const found = exec(
      'geosearch',
      'big',
      'FROMLONLAT',
      '0',
      '50',
      'BYRADIUS',
      '300',
      'km',
      'WITHDIST',
      'ASC',
    ) as unknown[];
    expect(found.length).toBeGreaterThan(1000);
    const dists = found.map((e) => Number((e as unknown[])[1]));
    expect(dists.every((d, i) => d <= 300 && (i === 0 || dists[i - 1]! <= d))).toBe(true);
  });
});
