/** The benchmark data generators of bench/data/, as paths to run with node (see each file's header). */
import fs from 'node:fs';
import path from 'node:path';

/** bench/data/, found upwards from this module: bench/lib/ in the source, dist/ once bundled by scripts/build.mjs. */
function dataDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'bench', 'data');
    if (fs.existsSync(path.join(candidate, 'genkeys.mjs'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`no bench/data/genkeys.mjs in ${__dirname} or above`);
  }
}

const DATA = dataDir();
/** `node GENKEYS N [seed]`: N S3 object rows as TSV (key, size, etag, lastModified ms, storage class) */
export const GENKEYS = path.join(DATA, 'genkeys.mjs');
/** `node TORESP keys.tsv [zset|full] [bucket]`: RESP commands loading those rows, for `redis-cli --pipe` */
export const TORESP = path.join(DATA, 'toresp.mjs');
