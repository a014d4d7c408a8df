// Bundles the CLI (and the benchmarks) with esbuild into dist/. Run by `npm run build`, `npm start` and `prepare`.
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

const entryPoints = { cli: 'src/cli/main.ts' };
if (existsSync('bench/main.ts')) entryPoints.bench = 'bench/main.ts';

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
