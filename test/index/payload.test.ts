import fc from 'fast-check';
import {
  compareVersionSequencer,
  decodeHistory,
  decodeListingFields,
  decodeTombstones,
  decodeVersion,
  encodeHistory,
  encodeTombstones,
  encodeVersion,
  type ObjectVersion,
  payloadSize,
  STORAGE_CLASSES,
  versionSequencer,
} from '../../src/index/payload';
import { compareSequencer } from '../../src/index/sequencer';

const versionArb: fc.Arbitrary<ObjectVersion> = fc.record(
  {
    versionId: fc.string({ minLength: 1, maxLength: 40 }),
    sequencer: fc.oneof(
      fc.stringMatching(/^[0-9A-F]{0,20}$/),
      fc.stringMatching(/^[!-~]{1,20}$/).map((s) => s.toUpperCase()),
    ),
    deleteMarker: fc.boolean(),
    size: fc.oneof(fc.nat(1000), fc.maxSafeNat()),
    etag: fc.oneof(
      fc.stringMatching(/^[0-9a-f]{32}$/),
      fc.tuple(fc.stringMatching(/^[0-9a-f]{32}$/), fc.integer({ min: 1, max: 10000 })).map(([h, n]) => `${h}-${n}`),
      fc.string({ minLength: 1, maxLength: 40 }),
    ),
    lastModified: fc.integer({ min: 0, max: 2 ** 47 }),
    storageClass: fc.oneof(fc.constantFrom(...STORAGE_CLASSES), fc.stringMatching(/^[A-Z_]{1,20}$/)),
    metaTime: fc.integer({ min: 0, max: 2 ** 47 }),
    restore: fc.oneof(
      fc.constant({ status: 'in-progress' as const }),
      fc.constant({ status: 'restored' as const }),
      fc.integer({ min: 0, max: 2 ** 47 }).map((expiry) => ({ status: 'restored' as const, expiry })),
    ),
    accessTier: fc.stringMatching(/^[A-Z_]{1,20}$/),
  },
  { requiredKeys: ['sequencer', 'deleteMarker', 'size', 'lastModified', 'storageClass'] },
);

const replaceAt = (s: string, i: number, c: string): string => s.slice(0, i) + c + s.slice(i + 1);

describe('index payload encoding', () => {
  it('payloadSize reads the size of any encoded version in place (the derived weight of the keys zset)', () => {
    fc.assert(
      fc.property(versionArb, fc.nat(20), fc.nat(20), (v, before, after) => {
        const b = encodeVersion(v);
        // embedded at an offset of a larger buffer, as in a leaf, and as a plain Uint8Array
        const host = new Uint8Array(before + b.length + after).fill(0xee);
        host.set(b, before);
        expect(payloadSize(host, before, before + b.length)).toBe(v.size);
        expect(payloadSize(b, 0, b.length)).toBe(v.size);
      }),
    );
    expect(payloadSize(Buffer.from([0xff, 0xff, 0xff]), 0, 3)).toBe(0);
  });

  it('round-trips every field', () => {
    fc.assert(
      fc.property(versionArb, (v) => {
        const b = encodeVersion(v);
        const d = decodeVersion(b);
        const expected = { ...v };
        if (expected.restore === undefined && expected.accessTier === undefined && expected.metaTime === undefined) {
          // no extension block
        } else expected.metaTime = v.metaTime ?? 0;
        expect(d).toEqual(JSON.parse(JSON.stringify(expected)));
        expect(versionSequencer(b)).toBe(v.sequencer);
        expect(decodeListingFields(b)).toEqual({
          size: d.size,
          etag: d.etag,
          lastModified: d.lastModified,
          storageClass: d.storageClass,
          versionId: d.versionId,
        });
      }),
      { numRuns: 500 },
    );
  });

  it('writes the common case (hex sequencer, md5 etag, enum class) byte for byte as the format says', () => {
    const typical: ObjectVersion = {
      sequencer: '0055AEC6A3F5B0F1D2',
      deleteMarker: false,
      size: 123456,
      etag: 'd41d8cd98f00b204e9800998ecf8427e',
      lastModified: 1700000000123,
      storageClass: 'STANDARD',
    };
    expect(encodeVersion(typical).toString('hex')).toBe(
      '0500120055aec6a3f5b0f1d2c0c4077b68e5cf8b01d41d8cd98f00b204e9800998ecf8427e',
    );
    const marker: ObjectVersion = {
      sequencer: 'ABC',
      deleteMarker: true,
      size: 2 ** 40,
      etag: '0123456789abcdef0123456789abcdef',
      lastModified: 5,
      storageClass: 'GLACIER',
    };
    expect(encodeVersion(marker).toString('hex')).toBe(
      '150503abc08080808080200500000000000123456789abcdef0123456789abcdef',
    );
    // an upper-case md5 is not the packed form: it takes the general path and round-trips as text
    const upper = { ...typical, etag: typical.etag!.toUpperCase() };
    expect(decodeVersion(encodeVersion(upper)).etag).toBe(upper.etag);
  });

  it('packs only true hex digits: a near-miss character anywhere in the sequencer or etag still round-trips', () => {
    // char codes whose low byte is a hex digit ('İ' is 0x130, 'ŀ' 0x140…), the other case, and non-digits;
    // sequencers are printable ASCII (normaliseSequencer), etags any text
    const asciiOdd = ['a', 'A', 'f', 'F', 'g', 'G', '/', ':', '@', '`', '~', '!'];
    const oddSeq = fc.constantFrom(...asciiOdd);
    const oddEtag = fc.constantFrom(...asciiOdd, 'İ', 'ı', 'Ű', 'ŀ', '😀', ' ', '\u0000');
    const typical = fc.record({
      sequencer: fc.stringMatching(/^[0-9A-F]{1,20}$/),
      etag: fc.stringMatching(/^[0-9a-f]{32}$/),
      size: fc.nat(),
      lastModified: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
    });
    fc.assert(
      fc.property(typical, oddSeq, oddEtag, fc.nat(), fc.boolean(), (t, cs, ce, at, inEtag) => {
        const v: ObjectVersion = { ...t, deleteMarker: false, storageClass: 'STANDARD' };
        if (inEtag) v.etag = replaceAt(t.etag, at % 32, ce);
        else v.sequencer = replaceAt(t.sequencer, at % t.sequencer.length, cs);
        expect(decodeVersion(encodeVersion(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 2000 },
    );
  });

  it('compares a sequencer with the packed one of an encoded version as compareSequencer does', () => {
    const seqArb = fc.oneof(
      fc.stringMatching(/^[0-9A-F]{0,22}$/),
      fc.stringMatching(/^[0-9A-F]{0,6}0{0,6}$/),
      fc.stringMatching(/^[!-~]{1,12}$/).map((s) => s.toUpperCase()),
    );
    fc.assert(
      fc.property(versionArb, seqArb, seqArb, (v, stored, seq) => {
        const b = encodeVersion({ ...v, sequencer: stored });
        expect(Math.sign(compareVersionSequencer(seq, b))).toBe(Math.sign(compareSequencer(seq, stored)));
        expect(compareVersionSequencer(stored, b)).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a typical object at 38 bytes', () => {
    const b = encodeVersion({
      sequencer: '00617F08299329D189',
      deleteMarker: false,
      size: 31589687,
      etag: 'c98971c89425e5aa93c55e79211e381b',
      lastModified: 1735001995555,
      storageClass: 'STANDARD_IA',
    });
    expect(b.length).toBe(38);
    expect(b[0]).toBe(0b101); // md5 etag + packed sequencer
    expect(b[1]).toBe(2); // STANDARD_IA
  });

  it('round-trips history and tombstone records', () => {
    fc.assert(
      fc.property(fc.array(versionArb, { maxLength: 5 }), (vs) => {
        expect(decodeHistory(encodeHistory(vs)).map((v) => v.sequencer)).toEqual(vs.map((v) => v.sequencer));
      }),
    );
    const ts = [
      { versionId: '', sequencer: '0A1', at: 5 },
      { versionId: 'v😀', sequencer: 'X-Y', at: 2 ** 40 },
    ];
    expect(decodeTombstones(encodeTombstones(ts))).toEqual(ts);
    expect(() => decodeHistory(Buffer.from([9]))).toThrow(RangeError);
    expect(() => decodeVersion(Buffer.from([1]))).toThrow(RangeError);
  });
});
