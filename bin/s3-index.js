#!/usr/bin/env node
// The `s3-index` command: runs the bundled CLI (built into dist/ by `npm run build`, which `npm install` runs).
require('../dist/cli.js');
