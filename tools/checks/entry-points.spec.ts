import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * A lib's main entry `@gcm/<lib>` is framework-free: requiring it loads no `@nestjs/*`
 * module and no rxjs (loaded only when an Observable is asked for), so the CLI and plain
 * scripts do not pay for them (~17 MB of RSS). The Nest wiring lives in `@gcm/<lib>/nest`.
 *
 * Checked in a plain node process running the TypeScript sources through tsx's CommonJS
 * hook, as the gcm CLI does (apps/cli/bin/gcm.js): first every main entry, one after the
 * other, noting what each adds to `require.cache`; then every `/nest` entry.
 */
const root = resolve(__dirname, '../..');
const paths = (JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
}).compilerOptions.paths;
const aliases = Object.keys(paths);
const mainEntries = aliases.filter((alias) => /^@gcm\/[a-z-]+$/.test(alias));
const nestEntries = aliases.filter((alias) => alias.endsWith('/nest'));

/** Libs whose production sources import `@nestjs/*` (specs and test helpers aside). */
function libsUsingNest(): string[] {
  const libs: string[] = [];
  for (const lib of readdirSync(join(root, 'libs'))) {
    const files = readdirSync(join(root, 'libs', lib, 'src'), { recursive: true, encoding: 'utf8' }).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !/(^|\/)(test|testing)\//.test(file),
    );
    if (files.some((file) => /from '@nestjs\//.test(readFileSync(join(root, 'libs', lib, 'src', file), 'utf8')))) libs.push(lib);
  }
  return libs.sort();
}

interface ChildReport {
  /** per main entry, in load order: the node_modules packages under watch it added to require.cache */
  main: Record<string, { exports: number; added: string[] }>;
  /** per `/nest` entry: its exports that are Nest modules (classes carrying @Module metadata) */
  nest: Record<string, string[]>;
  /** whether asking for an Observable loads rxjs and gives a real rxjs Observable */
  observable: { rxjsBefore: boolean; isRxjs: boolean };
}

/** Runs in the child: plain node + tsx's CommonJS hook, aliases from tsconfig.base.json. */
const childScript = `
const { register } = require('tsx/cjs/api');
register();
const [mainEntries, nestEntries] = JSON.parse(process.argv[1]);
const watched = (path) => /[\\\\/]node_modules[\\\\/](@nestjs[\\\\/][^\\\\/]+|rxjs)[\\\\/]/.exec(path)?.[1].replace('\\\\', '/');
const packages = () => new Set(Object.keys(require.cache).map(watched).filter(Boolean));
const report = { main: {}, nest: {}, observable: {} };
for (const entry of mainEntries) {
  const before = packages();
  const exports = require(entry);
  report.main[entry] = { exports: Object.keys(exports).length, added: [...packages()].filter((p) => !before.has(p)) };
}
const rxjsBefore = packages().has('rxjs');
const observable = require('@gcm/search-stream').toObservable((async function* () {})());
report.observable = { rxjsBefore, isRxjs: observable instanceof require('rxjs').Observable };
for (const entry of nestEntries) {
  const exports = require(entry);
  report.nest[entry] = Object.entries(exports)
    .filter(([, value]) => typeof value === 'function' && Reflect.getMetadataKeys(value).includes('providers'))
    .map(([name]) => name);
}
process.stdout.write(JSON.stringify(report));
`;

describe('lib entry points: Nest only behind @gcm/<lib>/nest', () => {
  let report: ChildReport;

  beforeAll(async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', childScript, JSON.stringify([mainEntries, nestEntries])], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') },
      maxBuffer: 16 * 1024 * 1024,
    });
    report = JSON.parse(stdout) as ChildReport;
  }, 60_000);

  it('gives every lib with Nest code a `/nest` entry, next to its main entry', () => {
    expect(libsUsingNest().length).toBeGreaterThan(0);
    expect(nestEntries.map((alias) => alias.split('/')[1]).sort()).toEqual(libsUsingNest());
    for (const lib of libsUsingNest()) {
      expect(paths[`@gcm/${lib}/nest`]).toEqual([`libs/${lib}/src/nest/index.ts`]);
      expect(mainEntries).toContain(`@gcm/${lib}`);
    }
  });

  it('loads no @nestjs package and no rxjs from any main entry', () => {
    expect(Object.keys(report.main)).toEqual(mainEntries);
    for (const entry of mainEntries) {
      expect({ entry, added: report.main[entry].added }).toEqual({ entry, added: [] });
      expect(report.main[entry].exports).toBeGreaterThan(0);
    }
  });

  it('loads rxjs when an Observable is asked for, and gives an rxjs Observable', () => {
    expect(report.observable).toEqual({ rxjsBefore: false, isRxjs: true });
  });

  it('exports the Nest modules from the `/nest` entries', () => {
    expect(report.nest).toEqual({
      '@gcm/archive/nest': ['ArchiveModule'],
      '@gcm/audit/nest': ['AuditModule', 'WebhookModule'],
      '@gcm/genesys-auth/nest': ['GenesysAuthModule'],
      '@gcm/history-timeline/nest': ['HistoryTimelineModule'],
      '@gcm/live-events/nest': ['CrmSyncModule', 'LiveEventsModule', 'QaSnapshotModule'],
      '@gcm/logging/nest': ['LoggingModule'],
      '@gcm/messaging-client/nest': ['MessagingClientModule'],
      '@gcm/search-stream/nest': ['SearchStreamModule'],
      '@gcm/store/nest': ['StoreModule'],
    });
  });
});
