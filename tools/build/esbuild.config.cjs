// esbuild options shared by every app's `build` target (@nx/esbuild, `esbuildConfig`).
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const esbuildPluginTsc = require('esbuild-plugin-tsc');

/**
 * The executor writes `package.json` and the pruned `package-lock.json` (generatePackageJson)
 * before esbuild runs. They inherit the workspace's `overrides`, which pin the Nx toolchain
 * for development only: an artifact installs its runtime dependencies and nothing of Nx.
 * `npm ci --omit=dev` in the output folder then installs exactly what the app requires.
 */
const productionManifest = {
  name: 'production-manifest',
  setup(build) {
    build.onEnd((result) => {
      const { outdir, outfile } = build.initialOptions;
      const folder = outdir ?? (outfile && dirname(outfile));
      if (result.errors.length > 0 || !folder) return;
      for (const file of ['package.json', 'package-lock.json']) {
        const path = join(folder, file);
        if (!existsSync(path)) continue;
        const manifest = JSON.parse(readFileSync(path, 'utf8'));
        delete manifest.overrides;
        if (manifest.packages?.['']) delete manifest.packages[''].overrides;
        if (file === 'package.json') {
          manifest.scripts = { start: 'node --enable-source-maps main.js' };
          // better-sqlite3 compiles its binding at install; @scarf/scarf (a dependency of the Swagger UI)
          // would phone home from its postinstall, which hangs without network: denied
          manifest.allowScripts = { 'better-sqlite3': true, '@scarf/scarf': false };
        }
        writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
      }
    });
  },
};

module.exports = {
  plugins: [
    // esbuild alone drops `emitDecoratorMetadata`, which Nest's injection by type and class-validator
    // need: esbuild-plugin-tsc compiles the files that carry decorators with TypeScript (transpile
    // only, the output ts-node --transpile-only gave) and leaves the rest to esbuild
    esbuildPluginTsc({ tsconfigPath: join(__dirname, '..', '..', 'tsconfig.base.json') }),
    productionManifest,
  ],
  // stack traces point at the TypeScript sources with `node --enable-source-maps`
  sourcemap: true,
  keepNames: true,
  // `node dist/apps/<name>/main.js`, not main.cjs: the generated package.json says "type": "commonjs"
  outExtension: { '.js': '.js' },
};
