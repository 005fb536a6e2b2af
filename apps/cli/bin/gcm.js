#!/usr/bin/env node
'use strict';
/*
 * The `gcm` executable: runs the TypeScript sources through tsx (no build step), with the
 * workspace's tsconfig so the @gcm/* path aliases resolve. `npx gcm` in the repository
 * and an installed bin both come here. Only tsx's CommonJS hook is registered: gcm's
 * sources are CommonJS and load commands with require (src/app/lazy-modules.ts).
 */
const { join } = require('node:path');

process.env.TSX_TSCONFIG_PATH = process.env.TSX_TSCONFIG_PATH || join(__dirname, '..', '..', '..', 'tsconfig.base.json');
require('tsx/cjs/api').register();
require('../src/main.ts');
