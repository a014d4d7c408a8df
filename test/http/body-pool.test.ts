/**
 * Pooled page buffers through a running Node server: many concurrent listing requests (JSON and S3 XML, cache on
 * and off, slow readers included) each get exactly the bytes the app renders in process, and buffers come back to
 * the pool once responses are written. A reuse bug (a buffer handed out again while a response still points into
 * it) shows up as a corrupted body here.
 */
import http from 'node:http';
import { pooledBuffers } from '../../src/http/body-pool';
import { type AppHarness, appHarness, serveApp } from './harness';
import { createdEvent } from './index-fixture';

const BUCKET = 'pool-bucket';
const ETAG = '0123456789abcdef0123456789abcdef';
const KEYS = Array.from({ length: 3000 }, (_, i) => `p/${(i * 7919) % 3000}/${'x'.repeat(i % 40)}`);

async function seeded(limits: { responseCacheBytes?: number }): Promise<AppHarness> {
  const h = appHarness({ limits });
  for (let i = 0; i < KEYS.length; i += 1000) {
    await h.post(
      '/v1/events',
      KEYS.slice(i, i + 1000).map((k, j) => createdEvent(BUCKET, k, { size: i + j, etag: ETAG })),
    );
  }
  return h;
}

/** GET over a real socket; `slow` reads the body in small pieces with pauses (the server must wait for drain). */
function get(url: string, slow: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          if (slow) {
            res.pause();
            setTimeout(() => res.resume(), 2);
          }
        });
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe.each([
  ['without the response cache', 0],
  ['with the response cache', 64 * 1024 * 1024],
])('pooled page buffers %s', (_name, responseCacheBytes) => {
  it('serve every concurrent response intact and come back to the pool', async () => {
    const h = await seeded({ responseCacheBytes });
    const server = await serveApp(h);
    try {
      const paths: string[] = [];
      for (let i = 0; i < 60; i++) {
        const after = encodeURIComponent(KEYS[(i * 37) % KEYS.length]!);
        paths.push(`/v1/buckets/${BUCKET}/objects?max-keys=${200 + i * 13}&start-after=${after}`);
        paths.push(`/s3/${BUCKET}?list-type=2&max-keys=${100 + i * 7}&start-after=${after}&encoding-type=url`);
      }
      // twice over: with the cache on, the second round is served from it
      const all = [...paths, ...paths];
      // the reference: the same index in another app, in process, without the cache
      const ref = await seeded({ responseCacheBytes: 0 });
      const want = new Map<string, string>();
      for (const p of paths) want.set(p, await (await ref.request(p)).text());
      const got = await Promise.all(all.map((p, i) => get(`${server.url}${p}`, i % 5 === 0)));
      got.forEach((body, i) => {
        expect({ path: all[i], body: body.toString('utf8') }).toEqual({ path: all[i], body: want.get(all[i]!) });
      });
      expect(pooledBuffers()).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
