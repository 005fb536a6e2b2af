import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * Proves that the workspace's real ESLint config (eslint.config.mjs, copied verbatim)
 * fails the imports the architecture forbids. It lints a throw-away workspace whose
 * projects carry the same tags as ours, so the check does not depend on which of our
 * projects exist yet, and it also shows that allowed imports pass (the rule is live).
 */
const root = resolve(__dirname, '../..');

interface Probe {
  project: { dir: string; name: string; tags: string[] };
  files: Record<string, string>;
}

const probes: Probe[] = [
  { project: { dir: 'apps/api', name: 'api', tags: ['type:app', 'scope:api'] }, files: {
    'src/main.ts': "import { feature } from '@probe/feature-a';\nexport const main = feature;\n",
    'src/uses-sandbox.ts': "import { sandbox } from '@probe/sandbox';\nexport const x = sandbox;\n",
    'src/main.spec.ts': "import { sandbox } from '@probe/sandbox';\nexport const y = sandbox;\n",
    // a lib's secondary entry `@gcm/<lib>/nest` is the same project as `@gcm/<lib>`
    'src/app.module.ts': "import { FeatureModule } from '@probe/feature-a/nest';\nexport const app = FeatureModule;\n",
  } },
  { project: { dir: 'apps/sandbox', name: 'sandbox-app', tags: ['type:app', 'scope:sandbox'] }, files: {
    'src/main.ts': "import { sandbox } from '@probe/sandbox';\nexport const main = sandbox;\n",
  } },
  { project: { dir: 'libs/feature-a', name: 'feature-a', tags: ['type:feature', 'scope:shared'] }, files: {
    'src/index.ts': "import { data } from '@probe/data-a';\nexport const feature = data;\n",
    'src/nest/index.ts': "import { DataModule } from '@probe/data-a/nest';\nexport const FeatureModule = DataModule;\n",
  } },
  { project: { dir: 'libs/data-a', name: 'data-a', tags: ['type:data-access', 'scope:shared'] }, files: {
    'src/index.ts': 'export const data = 1;\n',
    'src/nest/index.ts': 'export const DataModule = 1;\n',
    // a lib whose tests start the sandbox must stay importable by app production code
    'src/index.spec.ts': "import { sandbox } from '@probe/sandbox';\nexport const t = sandbox;\n",
  } },
  { project: { dir: 'libs/data-b', name: 'data-b', tags: ['type:data-access', 'scope:shared'] }, files: {
    'src/index.ts': "import { feature } from '@probe/feature-a';\nexport const b = feature;\n",
  } },
  { project: { dir: 'libs/data-c', name: 'data-c', tags: ['type:data-access', 'scope:shared'] }, files: {
    'src/index.ts': "import { main } from '../../../apps/api/src/main';\nexport const c = main;\n",
  } },
  { project: { dir: 'libs/data-d', name: 'data-d', tags: ['type:data-access', 'scope:shared'] }, files: {
    'src/index.ts': "import { main } from '@probe/api';\nexport const d = main;\n",
  } },
  { project: { dir: 'libs/data-e', name: 'data-e', tags: ['type:data-access', 'scope:shared'] }, files: {
    'src/index.ts': "import { FeatureModule } from '@probe/feature-a/nest';\nexport const e = FeatureModule;\n",
  } },
  { project: { dir: 'libs/sandbox', name: 'sandbox', tags: ['type:testing', 'scope:shared'] }, files: {
    'src/index.ts': "import { data } from '@probe/data-a';\nexport const sandbox = data;\n",
  } },
];

describe('module boundaries (eslint.config.mjs)', () => {
  let workspace: string;
  let results: Map<string, string[]>;

  beforeAll(() => {
    workspace = mkdtempSync(join(tmpdir(), 'gcm-boundaries-'));
    cpSync(join(root, 'eslint.config.mjs'), join(workspace, 'eslint.config.mjs'));
    symlinkSync(join(root, 'node_modules'), join(workspace, 'node_modules'), 'dir');
    writeFileSync(join(workspace, 'package.json'), JSON.stringify({ name: 'probe', private: true }));
    writeFileSync(join(workspace, 'nx.json'), JSON.stringify({ useDaemonProcess: false }));
    const paths: Record<string, string[]> = {};
    for (const { project, files } of probes) {
      paths[`@probe/${project.name}`] = [`${project.dir}/src/${project.dir.startsWith('libs/') ? 'index' : 'main'}.ts`];
      // secondary entry points, as `@gcm/<lib>/nest` and `@gcm/<lib>/testing`: src/<entry>/index.ts
      for (const file of Object.keys(files)) {
        const entry = /^src\/([a-z]+)\/index\.ts$/.exec(file)?.[1];
        if (entry && project.dir.startsWith('libs/')) paths[`@probe/${project.name}/${entry}`] = [`${project.dir}/${file}`];
      }
      mkdirSync(join(workspace, project.dir, 'src'), { recursive: true });
      writeFileSync(
        join(workspace, project.dir, 'project.json'),
        JSON.stringify({ name: project.name, sourceRoot: `${project.dir}/src`, tags: project.tags }),
      );
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirname(join(workspace, project.dir, file)), { recursive: true });
        writeFileSync(join(workspace, project.dir, file), text);
      }
    }
    writeFileSync(
      join(workspace, 'tsconfig.base.json'),
      JSON.stringify({ compilerOptions: { baseUrl: '.', paths } }),
    );
    const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true' };
    // the rule reads the cached project graph; build it the way `nx lint` would
    execFileSync(process.execPath, [require.resolve('nx/bin/nx', { paths: [root] }), 'show', 'projects'], {
      cwd: workspace,
      env,
      stdio: 'pipe',
    });
    let output: string;
    try {
      output = execFileSync(
        process.execPath,
        [require.resolve('eslint/bin/eslint.js', { paths: [root] }), '--format', 'json', 'apps', 'libs'],
        { cwd: workspace, env, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 },
      ).toString();
    } catch (error) {
      output = (error as { stdout: Buffer }).stdout.toString();
    }
    const report = JSON.parse(output) as Array<{ filePath: string; messages: Array<{ ruleId: string; message: string }> }>;
    results = new Map(
      report.map((file) => [
        file.filePath.slice(workspace.length + 1),
        file.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message),
      ]),
    );
  }, 120_000);

  afterAll(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('fails when a data-access lib imports a feature lib', () => {
    expect(results.get('libs/data-b/src/index.ts')).toEqual([
      expect.stringMatching(/type:data-access.*can only depend on libs tagged with "type:data-access", "type:util"/),
    ]);
  });

  it('fails when a lib imports an app, by alias or by relative path', () => {
    expect(results.get('libs/data-d/src/index.ts')?.join('\n')).toMatch(/Imports of apps are forbidden|type:data-access" can only depend on libs tagged with "type:data-access", "type:util"/);
    expect(results.get('libs/data-c/src/index.ts')?.join('\n')).toMatch(/cannot be imported by a relative or absolute path/);
  });

  it('fails when production code of the api app imports the sandbox (testing) lib', () => {
    expect(results.get('apps/api/src/uses-sandbox.ts')?.join('\n')).toMatch(
      /scope:api" can only depend on libs tagged with "type:feature", "type:data-access", "type:util"/,
    );
  });

  it('applies the same rules to a lib\'s `/nest` entry as to its main entry', () => {
    expect(results.get('apps/api/src/app.module.ts')).toEqual([]);
    expect(results.get('libs/feature-a/src/nest/index.ts')).toEqual([]);
    expect(results.get('libs/data-e/src/index.ts')).toEqual([
      expect.stringMatching(/type:data-access.*can only depend on libs tagged with "type:data-access", "type:util"/),
    ]);
  });

  it('lets tests and the standalone sandbox app import the sandbox lib', () => {
    expect(results.get('apps/api/src/main.spec.ts')).toEqual([]);
    expect(results.get('apps/sandbox/src/main.ts')).toEqual([]);
  });

  it('does not ban a lib from app code because the lib tests use the sandbox', () => {
    expect(results.get('libs/data-a/src/index.spec.ts')).toEqual([]);
    expect(results.get('apps/api/src/main.ts')).toEqual([]);
  });

  it('passes the imports the architecture allows', () => {
    expect(results.get('apps/api/src/main.ts')).toEqual([]);
    expect(results.get('libs/feature-a/src/index.ts')).toEqual([]);
    expect(results.get('libs/sandbox/src/index.ts')).toEqual([]);
  });
});
