/**
 * Fixtures of test/e2e/backfill-interleaved.test.ts:
 *
 * - `fixtureKeys()`: ~20,600 awkward keys (spaces, '+', '%', accents, CJK, 4-byte characters, a flat folder of 5,000
 *   keys, deep folders, keys sorting around '/'), laid out so that s3rver lists them exactly to the crawler (see the
 *   rules below), and `writeBucket()`, which writes them straight into s3rver's directory layout (object file + its
 *   md5, dated an hour ago) before the emulator starts: no S3 request, so no event, and the index starts without them.
 * - `NameSource`: names for new objects that keep those rules.
 * - `storedObjects()`: what s3rver really holds, read from its directory (the ground truth of the bucket).
 * - `startPageProxy()`: an HTTP pass-through between `s3-index backfill` and the server that holds each
 *   S3IDX.BACKFILL page until a hook has run, so writes can be made to keys whose rows were read before the writes
 *   and are applied after them.
 *
 * s3rver's rules the layout keeps (test/backfill/crawl.test.ts found them): its listing walks the directory tree in
 * byte order of the file names (`name._S3rver_object`), so within a folder listed across several pages no name may be
 * a prefix of another (fixed-width numbers come first); a folder that holds only folders is left out of its delimiter
 * listings, so every folder holds an object of its own (`index.html`, never deleted by the test); no U+E000-U+FFFF
 * characters (s3rver compares keys as UTF-16, where they sort above 4-byte characters, unlike S3's bytes).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { s3rverObjectFile, writeS3rverObject } from '../helpers/s3rver';

export interface Obj {
  size: number;
  /** md5 hex, without quotes */
  etag: string;
}

export const FLAT = 'flat/';
const FLAT_TAILS = ['.dat', ' copy.dat', '+plus.dat', ' 100%.dat', ' café.dat', ' 日本語.txt', ' 😀.bin', '+a b+.log'];
const L1 = ['α', 'b+c', 'd e', 'f%20g', '日本', '𠀀 ext-b', 'zz'];
const L2 = ['2023', '2024', 'été', 'x y'];
const L3 = ['01', '02', 'naïve', '😀 emoji'];
const TOPS = ['with space', 'with', 'with+plus', '100%', 'ünïcödé', '日本', 'emoji 😀', '𝄞 clef'];
const DEEPER = 'deep/zz/more/levels/down/here/';

/** the folders whose files are numbered: new objects go there, named in the same fixed width */
export const LEAVES: string[] = L1.flatMap((a) => L2.flatMap((b) => L3.map((c) => `deep/${a}/${b}/${c}/`)));

export function fixtureKeys(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 5000; i++) out.push(`${FLAT}${String(i).padStart(5, '0')}${FLAT_TAILS[i % FLAT_TAILS.length]}`);
  for (const leaf of LEAVES) for (let i = 0; i < 130; i++) out.push(`${leaf}IMG ${String(i).padStart(4, '0')}.jpg`);
  for (let i = 0; i < 300; i++) out.push(`${DEEPER}k${String(i).padStart(3, '0')}`);
  out.push('a', 'a-', 'a.b', 'a0', 'A', 'a-/x', 'a/b', 'a/c/d', 'a b', 'a+b', 'a%2Fb', '😀', '𝄞+ +');
  for (const top of TOPS) for (let i = 0; i < 200; i++) out.push(`${top}/${String(i).padStart(3, '0')} ${top}`);
  const folders = new Set<string>();
  for (const k of out) {
    const parts = k.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(`${parts.slice(0, i).join('/')}/`);
  }
  const have = new Set(out);
  for (const f of folders) if (!have.has(`${f}index.html`)) out.push(`${f}index.html`);
  return out;
}

export const isFolderMarker = (key: string) => key === 'index.html' || key.endsWith('/index.html');

/** The body of generation `gen` of a key: its size and md5 change with every generation. */
export function bodyOf(key: string, gen: number): Buffer {
  return Buffer.from(`${key}\n${gen === 0 ? '' : `generation ${gen}\n`}${'x'.repeat((key.length + gen * 5) % 23)}`);
}

export const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/**
 * Writes the keys as objects into `<directory>/<bucket>/`, s3rver's layout, with their mtime an hour ago (objects
 * that were there long before the crawl). Returns what was written.
 */
export function writeBucket(directory: string, bucket: string, keys: readonly string[]): Map<string, Obj> {
  const root = path.join(directory, bucket);
  const made = new Set<string>();
  const written = new Map<string, Obj>();
  const past = new Date(Date.now() - 3600_000);
  for (const key of keys) {
    const body = bodyOf(key, 0);
    const etag = writeS3rverObject(root, key, body, made);
    fs.utimesSync(s3rverObjectFile(root, key), past, past);
    written.set(key, { size: body.length, etag });
  }
  return written;
}

const SUFFIX = '._S3rver_object';

/**
 * What s3rver holds in `<directory>/<bucket>/`: every object file, its size and the md5 of its content; `badMd5`
 * lists the objects whose stored md5 (the ETag s3rver serves) is not their content's.
 */
export function storedObjects(directory: string, bucket: string): { objects: Map<string, Obj>; badMd5: string[] } {
  const root = path.join(directory, bucket);
  const objects = new Map<string, Obj>();
  const badMd5: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
      else if (e.name.endsWith(SUFFIX)) {
        const key = `${rel}${e.name.slice(0, -SUFFIX.length)}`;
        const body = fs.readFileSync(p);
        const etag = md5(body);
        objects.set(key, { size: body.length, etag });
        let stored: string | undefined;
        try {
          stored = fs.readFileSync(`${p}.md5`, 'utf8');
        } catch {
          stored = undefined;
        }
        if (stored !== etag) badMd5.push(key);
      }
    }
  };
  walk(root, '');
  return { objects, badMd5 };
}

/** New object names that keep s3rver's listing rules: fixed-width numbers above the fixture's, in existing folders. */
export class NameSource {
  private n = 0;

  constructor(private readonly rand: () => number) {}

  /** a new key, under `prefix` when given (one of the fixture's folders, or a prefix of some) */
  next(prefix = ''): string {
    const n = this.n++;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(this.rand() * xs.length)]!;
    const leaves = LEAVES.filter((l) => l.startsWith(prefix));
    const kind = prefix !== '' ? 0 : Math.floor(this.rand() * 3);
    if (kind === 0 && leaves.length > 0) return `${pick(leaves)}IMG ${String(1000 + n).padStart(4, '0')}.jpg`;
    if (kind === 1) return `${FLAT}${String(10_000 + n).padStart(5, '0')}${pick(FLAT_TAILS)}`;
    const top = pick(TOPS);
    return `${top}/${String(200 + (n % 800)).padStart(3, '0')} new ${n} ${top}`;
  }
}

/** A small seeded PRNG (mulberry32): the operations' choices are reproducible from the seed. */
export { rng as prng } from '../backfill/inventory-fixtures';

export interface PageProxy {
  url: string;
  /** S3IDX.BACKFILL pages that went through */
  pages: number;
  /** errors of the hook (the page is forwarded anyway) */
  errors: unknown[];
  close(): Promise<void>;
}

/**
 * An HTTP pass-through to `target` (the server's HTTP API). Each POST /redis whose command is S3IDX.BACKFILL is held
 * until `onPage(keys of its rows)` has settled, then forwarded; everything else is forwarded at once.
 */
export async function startPageProxy(target: string, onPage: (keys: string[]) => Promise<void>): Promise<PageProxy> {
  const state = { pages: 0, errors: [] as unknown[] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      try {
        if (req.method === 'POST' && req.url === '/redis') {
          const argv = JSON.parse(body.toString('utf8')) as unknown;
          if (Array.isArray(argv) && argv[0] === 'S3IDX.BACKFILL') {
            state.pages++;
            const keys: string[] = [];
            for (let i = 3; i < argv.length; i += 5) keys.push(String(argv[i]));
            await onPage(keys).catch((err: unknown) => state.errors.push(err));
          }
        }
        const r = await fetch(`${target}${req.url}`, {
          method: req.method,
          headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json') },
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
        });
        const out = Buffer.from(await r.arrayBuffer());
        if (r.status !== 200) state.errors.push(`${req.method} ${req.url}: HTTP ${r.status} ${out.toString()}`);
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' });
        res.end(out);
      } catch (err) {
        state.errors.push(err);
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get pages() {
      return state.pages;
    },
    errors: state.errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
