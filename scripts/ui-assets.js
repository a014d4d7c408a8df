// The browse page's client (src/ui/client/) built into strings at package time: an esbuild plugin that resolves the
// import specifier `virtual:ui-assets` to a module exporting { html, js, css, version } (src/ui/assets.d.ts). The
// server bundles that use it: the CLI (scripts/build.mjs), the Lambda functions (serverless.yml custom.esbuild.plugins,
// which takes a file exporting an array of plugins: this one), and jest (test/helpers/ui-assets.js, synchronously).
//
// The client is bundled for browsers (ES2020, minified, one IIFE script, no inline code: the page's CSP allows none);
// `version` is a hash of the three assets, put in their URLs by index.html's %VERSION% placeholders.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const CLIENT_DIR = path.join(__dirname, '..', 'src', 'ui', 'client');
const SPECIFIER = 'virtual:ui-assets';

const scriptOptions = {
  entryPoints: [path.join(CLIENT_DIR, 'main.ts')],
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2020',
  minify: true,
  charset: 'utf8',
  legalComments: 'none',
  write: false,
  logLevel: 'silent',
};

const cssOptions = { loader: 'css', minify: true, target: 'es2020', charset: 'utf8' };

/** The assets from the built script and style sheet, and the HTML template with its placeholders filled in. */
function assemble(js, css) {
  const template = fs.readFileSync(path.join(CLIENT_DIR, 'index.html'), 'utf8');
  const version = crypto.createHash('sha256').update(template).update(js).update(css).digest('hex').slice(0, 16);
  return { html: template.replaceAll('%VERSION%', version), js, css, version };
}

/** Builds the assets with esbuild's async API (used by the plugin). */
async function buildUiAssets(esbuild = require('esbuild')) {
  const script = await esbuild.build(scriptOptions);
  const style = await esbuild.transform(fs.readFileSync(path.join(CLIENT_DIR, 'app.css'), 'utf8'), cssOptions);
  return assemble(script.outputFiles[0].text, style.code);
}

/** The same, synchronously (jest's module mapper loads a module synchronously). */
function buildUiAssetsSync(esbuild = require('esbuild')) {
  const script = esbuild.buildSync(scriptOptions);
  const style = esbuild.transformSync(fs.readFileSync(path.join(CLIENT_DIR, 'app.css'), 'utf8'), cssOptions);
  return assemble(script.outputFiles[0].text, style.code);
}

/** Every file of the client, for watch modes. */
function clientFiles() {
  return fs.readdirSync(CLIENT_DIR).map((name) => path.join(CLIENT_DIR, name));
}

const uiAssetsPlugin = {
  name: 'ui-assets',
  setup(build) {
    const filter = new RegExp(`^${SPECIFIER}$`);
    build.onResolve({ filter }, () => ({ path: SPECIFIER, namespace: 'ui-assets' }));
    build.onLoad({ filter: /.*/, namespace: 'ui-assets' }, async () => ({
      contents: JSON.stringify(await buildUiAssets(build.esbuild)),
      loader: 'json',
      watchFiles: clientFiles(),
    }));
  },
};

// serverless-esbuild requires the plugins file to export an array of plugins
module.exports = [uiAssetsPlugin];
module.exports.uiAssetsPlugin = uiAssetsPlugin;
module.exports.buildUiAssets = buildUiAssets;
module.exports.buildUiAssetsSync = buildUiAssetsSync;
