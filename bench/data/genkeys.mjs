// Benchmark data: N realistic S3 object rows, deterministic per seed (keys average ~53 bytes and mix log, data-lake,
// user-upload and odd layouts with spaces, accents and CJK). Copied from the team's shared benchmark helpers
// (genkeys.mjs) so that the benchmarks depend only on this checkout; its output is byte-for-byte the same, so the
// figures in BENCHMARKS.md stay comparable.
// usage: node genkeys.mjs N [seed] > keys.tsv   (key \t size \t etag \t lastModifiedMs \t storageClass)
const N = Number(process.argv[2] ?? 100000);
let s = Number(process.argv[3] ?? 42) >>> 0;
const rnd = () => {
  s ^= s << 13;
  s >>>= 0;
  s ^= s >>> 17;
  s ^= s << 5;
  s >>>= 0;
  return s / 4294967296;
};
const pick = (a) => a[Math.floor(rnd() * a.length)];
const hex = (n) => {
  let o = '';
  for (let i = 0; i < n; i++) o += '0123456789abcdef'[Math.floor(rnd() * 16)];
  return o;
};
const pad = (n, w) => String(n).padStart(w, '0');
const apps = ['api', 'web', 'worker', 'billing', 'auth', 'search', 'ingest', 'cron'];
const tables = ['events', 'orders', 'clicks', 'sessions', 'payments'];
const words = ['report', 'invoice', 'Résumé final', 'photo', 'scan', 'notes', 'backup', 'draft v2', 'データ'];
const classes = ['STANDARD', 'STANDARD', 'STANDARD', 'STANDARD_IA', 'GLACIER_IR', 'INTELLIGENT_TIERING'];
const out = [];
const base = Date.UTC(2023, 0, 1);
for (let i = 0; i < N; i++) {
  const r = rnd();
  const t = base + Math.floor(rnd() * 3 * 365 * 86400e3);
  const d = new Date(t);
  const Y = d.getUTCFullYear(),
    M = pad(d.getUTCMonth() + 1, 2),
    D = pad(d.getUTCDate(), 2),
    H = pad(d.getUTCHours(), 2);
  let key;
  if (r < 0.45) key = `logs/${pick(apps)}/${Y}/${M}/${D}/${H}/${hex(8)}-${hex(4)}-${hex(4)}.json.gz`;
  else if (r < 0.75)
    key = `datalake/${pick(tables)}/dt=${Y}-${M}-${D}/part-${pad(Math.floor(rnd() * 2000), 5)}-${hex(8)}.snappy.parquet`;
  else if (r < 0.95)
    key = `users/${pad(Math.floor(rnd() * 50000), 6)}/uploads/${Y}/IMG_${pad(Math.floor(rnd() * 10000), 4)}_${hex(6)}.jpg`;
  else key = `shared/${pick(words)}/${pick(words)} ${hex(5)}.pdf`;
  out.push(`${key}\t${Math.floor(rnd() * 50e6)}\t${hex(32)}\t${t}\t${pick(classes)}`);
  if (out.length >= 10000) {
    process.stdout.write(`${out.join('\n')}\n`);
    out.length = 0;
  }
}
if (out.length) process.stdout.write(`${out.join('\n')}\n`);
