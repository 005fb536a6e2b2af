#!/usr/bin/env node
'use strict';
/*
 * The `gcm` executable: runs the TypeScript sources through tsx (no build step), with the
 * workspace's tsconfig so the @gcm/* path aliases resolve. `npx gcm` in the repository
 * and an installed bin both come here. Loading `tsx` is what `node --import tsx` does: it
 * hooks require() of the sources and import() of the commands loaded on demand.
 */
const { join } = require('node:path');

process.env.TSX_TSCONFIG_PATH = process.env.TSX_TSCONFIG_PATH || join(__dirname, '..', '..', '..', 'tsconfig.base.json');
import('tsx').then(() => require('../src/main.ts'));
