// Benchmark data: keys.tsv (from genkeys.mjs) -> RESP commands that load the same rows into any Redis-compatible
// server with `redis-cli -p PORT --pipe < load.resp`. `zset`: one ZADD idx:<bucket> 0 key per row; `full`: also one
// HSET obj:<bucket>:<key> of the metadata per row (the classic Redis index layout). Copied from the team's shared
// benchmark helpers (toresp.mjs) so that the benchmarks depend only on this checkout; its output is byte-for-byte the
// same, so the figures in BENCHMARKS.md stay comparable.
import fs from 'node:fs';
import readline from 'node:readline';

const [file, mode = 'zset', bucket = 'b'] = process.argv.slice(2);
const enc = (args) => {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
};
const rl = readline.createInterface({ input: fs.createReadStream(file) });
let buf = [];
for await (const line of rl) {
  const [key, size, etag, mtime, cls] = line.split('\t');
  buf.push(enc(['ZADD', `idx:${bucket}`, '0', key]));
  if (mode === 'full') buf.push(enc(['HSET', `obj:${bucket}:${key}`, 's', size, 'e', etag, 'm', mtime, 'c', cls]));
  if (buf.length > 5000) {
    process.stdout.write(buf.join(''));
    buf = [];
  }
}
process.stdout.write(buf.join(''));
