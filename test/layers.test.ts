/**
 * The layers of src/ point down only: engine ← index ← ingest ← service ← http, server, cli, handlers. Every file's
 * imports (static, `export … from`, dynamic `import()` and `require`, type-only ones included: a type import still
 * ties a layer to another's shape) are read with TypeScript's own pre-processor and resolved to the top-level
 * folder of src/ they land in. A new top-level folder must be placed in MAY_IMPORT before anything imports it.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SRC = path.join(__dirname, '../src');

/** What each layer may import besides itself. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  // keyspace, commands, data structures: the bottom
  engine: [],
  protocol: ['engine'],
  // the S3 object index on the engine: layout, listing, lookups, version ordering (sequencers)
  index: ['engine'],
  // S3 event parsing above the index: events in, index operations out
  ingest: ['engine', 'index'],
  // snapshots and the log of the engine's data, and the stores they live in (a local directory, S3)
  persistence: ['engine'],
  // where index and ingest meet: the ObjectIndex interface, its engine implementation, S3IDX.INGEST, createEngine
  service: ['engine', 'index', 'ingest', 'persistence'],
  server: ['engine', 'protocol'],
  // `config` here and `http` in config: src/config.ts reads the API token syntax (http/auth.ts) and
  // src/http/config.ts the loader's settings; the two import each other
  http: ['engine', 'protocol', 'index', 'ingest', 'service', 'config'],
  config: ['engine', 'http', 'persistence'],
  handlers: ['engine', 'protocol', 'index', 'ingest', 'service', 'http', 'config', 'persistence', 'backfill'],
  // the local S3 of `s3-index dev` and `npm run offline`: S3 events out, nothing of ours in
  local: [],
  // the crawl of a bucket's listing (ListObjectsV2 in parallel) for backfill and reconcile
  backfill: [],
  // EventBridge replay of the archived S3 events (StartReplay, DescribeReplay): the SDK only, nothing of ours
  replay: [],
  // the browse page's client: runs in browsers, and reaches the server only through its HTTP API (the server bundles
  // it through the `virtual:ui-assets` specifier, scripts/ui-assets.js, not by a relative import)
  ui: [],
  cli: [
    'engine',
    'protocol',
    'index',
    'ingest',
    'service',
    'server',
    'http',
    'config',
    'persistence',
    'local',
    'backfill',
    'replay',
  ],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The top-level folder of src/ a path lies in ('config' for src/config.ts). */
const layerOf = (file: string): string => path.relative(SRC, file).split(path.sep)[0]!.replace(/\.ts$/, '');

/** Every relative module a file imports, as "layer/path" pairs of importer and imported. */
function importsOf(file: string): Array<{ from: string; to: string; spec: string }> {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => ({ from: layerOf(file), to: layerOf(path.resolve(path.dirname(file), spec)), spec }));
}

describe('layers of src/', () => {
  const files = sourceFiles(SRC);

  it('are all placed in the table', () => {
    const layers = [...new Set(files.map(layerOf))].sort();
    expect(layers.filter((l) => MAY_IMPORT[l] === undefined)).toEqual([]);
  });

  it('import only the layers below them', () => {
    const violations: string[] = [];
    for (const file of files) {
      for (const { from, to, spec } of importsOf(file)) {
        if (to === from || MAY_IMPORT[from]?.includes(to)) continue;
        violations.push(`${path.relative(SRC, file)} imports '${spec}' (${from} → ${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('are read from the import lines (the checker sees what it should)', () => {
    // a sample of edges that exist: if the reader found nothing, every file would pass
    const edges = new Set(files.flatMap((f) => importsOf(f).map((i) => `${i.from}→${i.to}`)));
    for (const e of ['index→engine', 'ingest→index', 'service→ingest', 'http→service']) expect(edges).toContain(e);
  });
});
