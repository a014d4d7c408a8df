/**
 * Property test of the whole ingestion path: random histories of PUT / DELETE / DELETE-version / COPY on a model
 * bucket (unversioned, versioned, versioning suspended) are turned into the events S3 would emit, then delivered
 * shuffled, duplicated and late, through EventBridge, SQS and classic notifications. The index's listing, head and
 * stats must equal the model's final state.
 */
import fc from 'fast-check';
import { ManualClock } from '../../src/engine/clock';
import { DEFAULT_LIMITS } from '../../src/index/store';
import { createEngine } from '../../src/service/create-engine';
import { S3Index } from '../../src/service/s3-index';
import { ebEvent } from '../index/harness';

const BUCKET = 'model-bucket';
const KEYS = [
  'a b',
  'a+b',
  '100%',
  '100%25',
  'dir/résumé final.pdf',
  '😀/x',
  'dir/😀',
  '\uFB00',
  'x'.repeat(1024),
  '😀'.repeat(256),
  'dir/sub/a',
  'dir/sub/b',
];

type Mode = 'unversioned' | 'versioned' | 'suspended';
type Op =
  | { t: 'put'; key: number; size: number }
  | { t: 'delete'; key: number }
  | { t: 'delver'; key: number; pick: number }
  | { t: 'copy'; from: number; to: number };

interface Version {
  vid?: string;
  marker: boolean;
  size: number;
  etag: string;
  time: number;
}

interface ModelEvent {
  type: 'created' | 'deleted' | 'marker';
  key: string;
  seq: number;
  vid?: string;
  size?: number;
  etag?: string;
  time: number;
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('put' as const), key: fc.nat(KEYS.length - 1), size: fc.nat(1_000_000) }),
  fc.record({ t: fc.constant('delete' as const), key: fc.nat(KEYS.length - 1) }),
  fc.record({ t: fc.constant('delver' as const), key: fc.nat(KEYS.length - 1), pick: fc.nat(10) }),
  fc.record({ t: fc.constant('copy' as const), from: fc.nat(KEYS.length - 1), to: fc.nat(KEYS.length - 1) }),
);

/** Runs the history on the model; returns the final stacks (newest first) and the events S3 emits. */
function simulate(mode: Mode, ops: Op[], suspendAt: number) {
  const stacks = new Map<string, Version[]>();
  const events: ModelEvent[] = [];
  let seq = 0x100;
  let vids = 0;
  let time = Date.UTC(2024, 0, 1);
  ops.forEach((op, i) => {
    time += 1000;
    const versioning: Mode = mode === 'suspended' ? (i < suspendAt ? 'versioned' : 'suspended') : mode;
    const put = (key: string, size: number, etag: string) => {
      const st = stacks.get(key) ?? [];
      let vid: string | undefined;
      if (versioning === 'unversioned') st.length = 0;
      else if (versioning === 'versioned') vid = `v${++vids}`;
      else {
        const at = st.findIndex((v) => v.vid === 'null');
        if (at >= 0) st.splice(at, 1);
        vid = 'null';
      }
      st.unshift({ vid, marker: false, size, etag, time });
      stacks.set(key, st);
      events.push({ type: 'created', key, seq: seq++, vid: vid === 'null' ? undefined : vid, size, etag, time });
    };
    if (op.t === 'put') put(KEYS[op.key]!, op.size, (op.size * 7919).toString(16).padStart(32, '0').slice(-32));
    else if (op.t === 'copy') {
      const src = stacks.get(KEYS[op.from]!)?.[0];
      if (src && !src.marker) put(KEYS[op.to]!, src.size, src.etag);
    } else if (op.t === 'delete') {
      const key = KEYS[op.key]!;
      const st = stacks.get(key) ?? [];
      if (versioning === 'unversioned') {
        st.length = 0;
        events.push({ type: 'deleted', key, seq: seq++, time });
      } else {
        let vid: string;
        if (versioning === 'versioned') vid = `v${++vids}`;
        else {
          const at = st.findIndex((v) => v.vid === 'null');
          if (at >= 0) st.splice(at, 1);
          vid = 'null';
        }
        st.unshift({ vid, marker: true, size: 0, etag: '', time });
        events.push({ type: 'marker', key, seq: seq++, vid, time });
      }
      stacks.set(key, st);
    } else {
      const key = KEYS[op.key]!;
      const st = stacks.get(key) ?? [];
      if (mode === 'unversioned' || st.length === 0) return;
      const [victim] = st.splice(op.pick % st.length, 1);
      events.push({ type: 'deleted', key, seq: seq++, vid: victim!.vid, time });
    }
  });
  return { stacks, events };
}

/** S3 sequencer presentation varies: 18 upper-case hex digits, 16 lower-case, trailing zeros trimmed. */
function seqText(n: number, style: number): string {
  const s = `${n.toString(16).padStart(12, '0').toUpperCase()}000000`;
  if (style === 1) return s.toLowerCase();
  if (style === 2) return s.replace(/0+$/, '');
  return s;
}

function toWire(e: ModelEvent, style: number, classic: boolean): unknown {
  const sequencer = seqText(e.seq, style);
  if (classic) {
    const name =
      e.type === 'created'
        ? 'ObjectCreated:Put'
        : e.type === 'marker'
          ? 'ObjectRemoved:DeleteMarkerCreated'
          : 'ObjectRemoved:Delete';
    const object: Record<string, unknown> = {
      key: encodeURIComponent(e.key).replace(/%20/g, '+'),
      sequencer,
    };
    if (e.size !== undefined) object.size = e.size;
    if (e.etag !== undefined) object.eTag = e.etag;
    if (e.vid !== undefined) object.versionId = e.vid;
    return {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventTime: new Date(e.time).toISOString(),
          eventName: name,
          s3: { bucket: { name: BUCKET }, object },
        },
      ],
    };
  }
  const time = new Date(e.time).toISOString().replace('.000', '');
  if (e.type === 'created')
    return ebEvent(
      'Object Created',
      BUCKET,
      { key: e.key, size: e.size, etag: e.etag, versionId: e.vid, sequencer },
      {},
      time,
    );
  return ebEvent(
    'Object Deleted',
    BUCKET,
    { key: e.key, sequencer, versionId: e.vid },
    { 'deletion-type': e.type === 'marker' ? 'Delete Marker Created' : 'Permanently Deleted' },
    time,
  );
}

describe('ingestion converges to the model whatever the delivery order', () => {
  it.each(['unversioned', 'versioned', 'suspended'] as const)('%s bucket', (mode) => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 40 }),
        fc.nat(40),
        fc.array(fc.nat(), { maxLength: 120 }),
        fc.array(fc.tuple(fc.nat(2), fc.boolean(), fc.nat(4)), { maxLength: 120 }),
        (ops, suspendAt, shuffle, styles) => {
          const { stacks, events } = simulate(mode, ops, suspendAt);
          // deliver: every event at least once, some twice, in a shuffled order
          const delivery = [
            ...events.keys(),
            ...shuffle.filter((_, i) => i % 3 === 0).map((n) => n % Math.max(1, events.length)),
          ].filter((i) => i < events.length);
          for (let i = delivery.length - 1; i > 0; i--) {
            const j = (shuffle[i % Math.max(1, shuffle.length)] ?? 0) % (i + 1);
            [delivery[i], delivery[j]] = [delivery[j]!, delivery[i]!];
          }
          const engine = createEngine({ clock: new ManualClock() });
          const index = new S3Index(engine, 0, { ...DEFAULT_LIMITS, maxNoncurrent: 1000 });
          let batch: unknown[] = [];
          delivery.forEach((ei, n) => {
            const [style, classic, cut] = styles[n % Math.max(1, styles.length)] ?? [0, false, 0];
            batch.push(toWire(events[ei]!, style, classic));
            if (cut === 0 || n === delivery.length - 1) {
              const o = index.ingest(
                n % 2
                  ? batch
                  : {
                      Records: batch.map((b, k) => ({
                        eventSource: 'aws:sqs',
                        messageId: `m${k}`,
                        body: JSON.stringify(b),
                      })),
                    },
              );
              expect(o.rejected).toEqual([]);
              batch = [];
            }
          });

          const visible = [...stacks]
            .filter(([, st]) => st[0] && !st[0].marker)
            .map(([k, st]) => [k, st[0]!] as const)
            .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
          if (events.length === 0) return;
          const all = [...index.listAll(BUCKET, {}, 3)].flatMap((p) => p.contents);
          expect(all.map((o) => o.key)).toEqual(visible.map(([k]) => k));
          for (const [k, v] of visible) {
            const h = index.head(BUCKET, k);
            expect(h.ok && h.value && [h.value.size, h.value.etag, h.value.lastModified, h.value.versionId]).toEqual([
              v.size,
              v.etag,
              v.time,
              v.vid === 'null' ? undefined : v.vid,
            ]);
          }
          for (const k of KEYS)
            if (!visible.some(([x]) => x === k)) expect(index.head(BUCKET, k)).toEqual({ ok: true, value: undefined });
          for (const prefix of ['', 'dir/', 'dir/sub/', '😀', 'a']) {
            const under = visible.filter(([k]) => k.startsWith(prefix));
            expect(index.stats(BUCKET, prefix)).toEqual({
              ok: true,
              value: { objects: under.length, bytes: under.reduce((s, [, v]) => s + v.size, 0) },
            });
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
