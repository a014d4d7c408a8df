/**
 * The HTTP app over an ObjectIndex that answers later (as one across a network would): every route answers exactly
 * as it does over the bundled engine's S3Index, so a second implementation needs no change in src/http/.
 */
import { ManualClock } from '../../src/engine/clock';
import { createApp } from '../../src/http/app';
import { httpConfig } from '../../src/http/config';
import type { PageBounds, RawListOptions, RowMaker } from '../../src/index/list';
import { createEngine } from '../../src/service/create-engine';
import type { IndexChange, ObjectIndex } from '../../src/service/object-index';
import { S3Index } from '../../src/service/s3-index';
import { AWKWARD_KEYS, createdEvent } from './index-fixture';

/** An S3Index whose every answer comes on a later turn of the event loop. */
class LaterIndex implements ObjectIndex {
  calls = 0;
  constructor(private readonly inner: S3Index) {}
  private later<T>(answer: () => T): Promise<T> {
    this.calls++;
    return new Promise((resolve) => setImmediate(() => resolve(answer())));
  }
  ingest(input: unknown) {
    return this.later(() => this.inner.ingest(input));
  }
  listObjectsV2(...args: Parameters<S3Index['listObjectsV2']>) {
    return this.later(() => this.inner.listObjectsV2(...args));
  }
  listRaw<T>(bucket: string, opts: RawListOptions, makeRow: RowMaker<T>, bounds?: PageBounds) {
    return this.later(() => this.inner.listRaw(bucket, opts, makeRow, bounds));
  }
  head(bucket: string, key: string) {
    return this.later(() => this.inner.head(bucket, key));
  }
  version(bucket: string, key: string, versionId?: string) {
    return this.later(() => this.inner.version(bucket, key, versionId));
  }
  stats(bucket: string, prefix?: string) {
    return this.later(() => this.inner.stats(bucket, prefix));
  }
  listBuckets() {
    return this.later(() => this.inner.listBuckets());
  }
  bucketExists(bucket: string) {
    return this.later(() => this.inner.bucketExists(bucket));
  }
  onChange(listener: (change: IndexChange) => void) {
    return this.inner.onChange(listener);
  }
}

const BUCKET = 'later-bucket';

function apps() {
  const clock = new ManualClock();
  const engine = createEngine({ clock });
  const now = new S3Index(engine);
  const later = new LaterIndex(new S3Index(engine));
  const app = (index: ObjectIndex) => createApp({ engine, index, clock, config: httpConfig(), reportError: () => {} });
  return { now: app(now), later: app(later), laterIndex: later };
}

async function answer(app: ReturnType<typeof createApp>, target: string, init?: RequestInit) {
  const res = await app.fetch(new Request(`http://localhost${target}`, init));
  const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== 'x-amz-request-id'));
  const body = (await res.text()).replace(/<RequestId>[^<]*<\/RequestId>/, '<RequestId/>');
  return { target, status: res.status, headers, body };
}

describe('the app over an index that answers later', () => {
  it('answers every index route as over S3Index, cached and not', async () => {
    const { now, later, laterIndex } = apps();
    const events = AWKWARD_KEYS.map((k, i) => createdEvent(BUCKET, k, { size: 10 + i }));
    const post = { method: 'POST', body: JSON.stringify(events), headers: { 'content-type': 'application/json' } };
    expect(await answer(later, '/v1/events', post)).toMatchObject({ status: 200 });
    const key = encodeURIComponent(AWKWARD_KEYS[0]!).replace(/%2F/g, '/');
    const targets = [
      '/v1/buckets',
      `/v1/buckets/${BUCKET}/objects`,
      `/v1/buckets/${BUCKET}/objects?delimiter=/&max-keys=2`,
      `/v1/buckets/${BUCKET}/objects?continuation-token=!!`,
      `/v1/buckets/${BUCKET}/objects/${key}`,
      `/v1/buckets/${BUCKET}/objects/nope`,
      `/v1/buckets/${BUCKET}/stats?prefix=a`,
      '/v1/buckets/no-such-bucket/objects',
      '/s3',
      `/s3/${BUCKET}?list-type=2&delimiter=/&encoding-type=url`,
      `/s3/${BUCKET}?list-type=2&max-keys=3`,
      `/s3/${BUCKET}?delimiter=/&max-keys=1`,
      `/s3/${BUCKET}?location`,
      '/s3/no-such-bucket?list-type=2',
    ];
    const ndjson = { headers: { accept: 'application/x-ndjson' } };
    for (let round = 0; round < 2; round++) {
      for (const t of targets) expect(await answer(later, t)).toEqual(await answer(now, t));
      expect(await answer(later, `/v1/buckets/${BUCKET}/objects?delimiter=/`, ndjson)).toEqual(
        await answer(now, `/v1/buckets/${BUCKET}/objects?delimiter=/`, ndjson),
      );
      for (const t of [`/s3/${BUCKET}`, `/s3/${BUCKET}/${key}`, '/s3/no-such-bucket'])
        expect(await answer(later, t, { method: 'HEAD' })).toEqual(await answer(now, t, { method: 'HEAD' }));
    }
    expect(laterIndex.calls).toBeGreaterThan(targets.length);
    // a change reported by the index makes the cached answers of its bucket stale
    const more = { ...post, body: JSON.stringify(createdEvent(BUCKET, 'zzz-new')) };
    expect(await answer(later, '/v1/events', more)).toMatchObject({ status: 200 });
    for (const t of targets) expect(await answer(later, t)).toEqual(await answer(now, t));
    const metrics = (await answer(later, '/metrics')).body;
    expect(metrics).toContain(`s3index_objects{bucket="${BUCKET}"} ${AWKWARD_KEYS.length + 1}`);
  });
});
