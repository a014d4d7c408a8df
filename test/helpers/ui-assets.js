// `virtual:ui-assets` for jest (jest.config.js moduleNameMapper): the browse page's assets built as the server's
// bundles build them (scripts/ui-assets.js), so that tests need no prior build.
module.exports = require('../../scripts/ui-assets.js').buildUiAssetsSync();
