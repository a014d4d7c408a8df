// Bundles the CLI and the benchmarks with esbuild into dist/. Run by `npm run build`, `npm start` and `prepare`.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { build } from 'esbuild';
import uiAssetsPlugins from './ui-assets.js';

const entryPoints = { cli: 'src/cli/main.ts' };
const benches = {
  bench: 'bench/main.ts',
  'index-bench': 'bench/index/index-bench.ts',
  'http-bench': 'bench/http/http-bench.ts',
  'cache-ab': 'bench/http/cache-ab.ts',
  'ui-bench': 'bench/ui/first-paint.ts',
  'resp-bench': 'bench/resp/redis-benchmark.ts',
};
for (const [name, file] of Object.entries(benches)) if (existsSync(file)) entryPoints[name] = file;

// Written to temporaries and renamed into place: test suites rebuild dist/ in their beforeAll while servers started
// by other suites are loading dist/cli.js, which must never see a half-written file.
const result = await build({
  write: false,
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
  // `virtual:ui-assets`: the browse page's client, built into the bundle (scripts/ui-assets.js)
  plugins: uiAssetsPlugins,
});
for (const f of result.outputFiles) {
  mkdirSync(dirname(f.path), { recursive: true });
  const tmp = `${f.path}.${process.pid}.tmp`;
  writeFileSync(tmp, f.contents);
  renameSync(tmp, f.path);
}
