/** An engine with the S3 index commands, driven like redis-cli, plus event builders for tests. */
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../src/engine/clock';
import { Engine, newSession } from '../../src/engine/engine';
import type { Reply } from '../../src/engine/reply';
import type { ObjectVersion } from '../../src/index/payload';
import { applyIndexOp, DEFAULT_LIMITS, type IndexScope } from '../../src/index/store';
import { S3INDEX_COMMANDS } from '../../src/service/commands/index';
import { createEngine } from '../../src/service/create-engine';
import { S3Index } from '../../src/service/s3-index';
import { type Plain, plain } from '../helpers/engine';

/**
 * The service's engine without its guard on `s3idx:` keys, so that generic commands can write them: for tests of
 * data the index did not write (an old snapshot, a foreign import). The service itself never runs this way.
 */
export function engineWithoutKeyGuard(clock = new ManualClock()): Engine {
  return new Engine({ clock, extraCommands: S3INDEX_COMMANDS });
}

export function indexHarness(opts: { withoutKeyGuard?: boolean } = {}) {
  const clock = new ManualClock();
  const engine = opts.withoutKeyGuard ? engineWithoutKeyGuard(clock) : createEngine({ clock });
  const session = newSession();
  const raw = (...args: Array<string | number | Buffer>): Reply =>
    engine.execute(
      args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8'))),
      session,
    );
  const exec = (...args: Array<string | number | Buffer>): Plain => plain(raw(...args));
  /** a map reply as an object (RESP3 map → record) */
  const obj = (...args: Array<string | number | Buffer>): Record<string, Plain> => {
    const r = exec(...args);
    if (!Array.isArray(r)) throw new Error(`not a map: ${JSON.stringify(r)}`);
    return Object.fromEntries(r.map((pair) => pair as [string, Plain]));
  };
  return { engine, clock, exec, obj, raw, index: new S3Index(engine) };
}

export function sampleEvent(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '../../events', name), 'utf8'));
}

export interface EbObject {
  key: string;
  size?: number;
  etag?: string;
  versionId?: string;
  sequencer?: string;
}

let nextId = 0;

/** An EventBridge S3 event. */
export function ebEvent(
  detailType: string,
  bucket: string,
  object: EbObject,
  extra: Record<string, unknown> = {},
  time = '2024-05-01T12:00:00Z',
): Record<string, unknown> {
  const o: Record<string, unknown> = { key: object.key };
  if (object.size !== undefined) o.size = object.size;
  if (object.etag !== undefined) o.etag = object.etag;
  if (object.versionId !== undefined) o['version-id'] = object.versionId;
  if (object.sequencer !== undefined) o.sequencer = object.sequencer;
  return {
    version: '0',
    id: `id-${nextId++}`,
    'detail-type': detailType,
    source: 'aws.s3',
    account: '123456789012',
    time,
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object: o, 'request-id': 'R', requester: '1', ...extra },
  };
}

export const created = (bucket: string, key: string, seq: string, size = 1, extra: Partial<EbObject> = {}) =>
  ebEvent('Object Created', bucket, { key, size, etag: 'b1946ac92492d2347c6235b4d2611184', sequencer: seq, ...extra });

export const deleted = (bucket: string, key: string, seq: string, versionId?: string) =>
  ebEvent('Object Deleted', bucket, { key, sequencer: seq, versionId }, { 'deletion-type': 'Permanently Deleted' });

export const markerCreated = (bucket: string, key: string, seq: string, versionId: string) =>
  ebEvent(
    'Object Deleted',
    bucket,
    { key, sequencer: seq, versionId, etag: 'd41d8cd98f00b204e9800998ecf8427e' },
    { 'deletion-type': 'Delete Marker Created' },
  );

/**
 * An engine whose bucket holds the given versions as current ones (put straight through the store, sequencers
 * ascending); optional fields left undefined are absent, as after decoding.
 */
export function indexWith(
  bucket: string,
  entries: Array<[string, Omit<ObjectVersion, 'sequencer'>]>,
  opts: { withoutKeyGuard?: boolean } = {},
) {
  const engine = opts.withoutKeyGuard ? engineWithoutKeyGuard() : createEngine({ clock: new ManualClock() });
  const scope = (): IndexScope => ({ db: engine.dbs[0]!, now: engine.clock.now() });
  let seq = 0x100;
  for (const [key, v] of entries) {
    seq++;
    const version: ObjectVersion = { ...v, sequencer: seq.toString(16).toUpperCase().padStart(18, '0') };
    if (version.etag === undefined) delete version.etag;
    if (version.versionId === undefined) delete version.versionId;
    if (version.metaTime === undefined) delete version.metaTime;
    applyIndexOp(scope(), { op: 'put', bucket, key, version }, DEFAULT_LIMITS);
  }
  return { engine, scope, index: new S3Index(engine) };
}
