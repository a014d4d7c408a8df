/**
 * The browse page's assets, built from src/ui/client/ when the server is bundled: scripts/ui-assets.js resolves this
 * specifier (esbuild plugin; jest maps it to test/helpers/ui-assets.js).
 */
declare module 'virtual:ui-assets' {
  /** the page (index.html with its asset URLs versioned) */
  export const html: string;
  /** the client script, minified */
  export const js: string;
  /** the style sheet, minified */
  export const css: string;
  /** a hash of the three, in the asset URLs and their ETags */
  export const version: string;
}
