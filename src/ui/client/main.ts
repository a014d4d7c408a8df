/** The browse page's entry point (bundled by scripts/ui-assets.js; the page loads it deferred). */
import { BrowseApp } from './browse';

new BrowseApp().start();
