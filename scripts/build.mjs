// Bundles the CLI and the benchmarks with esbuild into dist/. Run by `npm run build`, `npm start` and `prepare`.
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

const entryPoints = { cli: 'src/cli/main.ts' };
const benches = {
  bench: 'bench/main.ts',
  'index-bench': 'bench/index/index-bench.ts',
  'http-bench': 'bench/http/http-bench.ts',
  'resp-bench': 'bench/resp/redis-benchmark.ts',
};
for (const [name, file] of Object.entries(benches)) if (existsSync(file)) entryPoints[name] = file;

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
});
