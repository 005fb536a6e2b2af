import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The official JS SDK's own contract (`purecloud-platform-client-v2`, pinned dev dependency),
 * read from what its npm package ships: the models of `index.d.ts` (`declare namespace Models`,
 * fields with their types and `?` for optional) and the endpoints of `src/.../api/*.js`
 * (`callApi(path, method, …)`), joined to each method's `Promise<Models.X>` return type in
 * `index.d.ts`. The package ships no enum values (every enum field is typed `string`), so
 * enums are checked only as strings here.
 */

export type TypeRef =
  | { kind: 'string' | 'number' | 'boolean' | 'any' }
  | { kind: 'ref'; model: string }
  | { kind: 'array'; of: TypeRef }
  | { kind: 'map'; of: TypeRef };

export interface FieldDef {
  type: TypeRef;
  required: boolean;
}

export type ModelDef = Map<string, FieldDef>;

export interface SdkContract {
  version: string;
  models: Map<string, ModelDef>;
  /** `METHOD /path/{}` (parameters blanked) → the response model, or null when the SDK returns no model (void, string). */
  routes: Map<string, string | null>;
}

export const SDK_PACKAGE = 'purecloud-platform-client-v2';

/**
 * `/api/v2/x/{conversationId}/y` (SDK) or `/api/v2/x/:conversationId/y` (sandbox router) →
 * `/api/v2/x/{}/y`: the parameter names differ between the two.
 */
export function routeShape(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}').replace(/\/:[A-Za-z_]\w*/g, '/{}')}`;
}

export function parseType(text: string): TypeRef {
  const t = text.trim();
  if (t === 'string' || t === 'Date') return { kind: 'string' };
  if (t === 'number') return { kind: 'number' };
  if (t === 'boolean') return { kind: 'boolean' };
  if (t === 'object' || t === 'any') return { kind: 'any' };
  let m = /^Models\.(\w+)$/.exec(t);
  if (m) return { kind: 'ref', model: m[1] };
  m = /^Array<(.*)>$/.exec(t);
  if (m) return { kind: 'array', of: parseType(m[1]) };
  m = /^\{\s*\[key: string\]:\s*(.*?);?\s*\}$/.exec(t);
  if (m) return { kind: 'map', of: parseType(m[1]) };
  m = /^Record<string,\s*(.*)>$/.exec(t);
  if (m) return { kind: 'map', of: parseType(m[1]) };
  throw new Error(`The SDK's index.d.ts has a field type this check cannot read: ${t}`);
}

function parseModels(dts: string): Map<string, ModelDef> {
  const start = dts.indexOf('declare namespace Models {');
  if (start < 0) throw new Error(`${SDK_PACKAGE}/index.d.ts has no "declare namespace Models"`);
  const models = new Map<string, ModelDef>();
  let current: ModelDef | undefined;
  for (const line of dts.slice(start).split('\n')) {
    const open = /^\s*export interface (\w+)\s*\{/.exec(line);
    if (open) {
      current = new Map();
      models.set(open[1], current);
      continue;
    }
    if (!current) continue;
    if (/^\s*\}\s*$/.test(line)) {
      current = undefined;
      continue;
    }
    const field = /^\s*"([^"]+)"(\?)?:\s*(.*);\s*$/.exec(line);
    if (field) current.set(field[1], { type: parseType(field[3]), required: field[2] !== '?' });
  }
  return models;
}

/** `methodName(…): Promise<Models.X>` per API class of index.d.ts. */
function parseReturnTypes(dts: string): Map<string, string | null> {
  const returns = new Map<string, string | null>();
  let api: string | undefined;
  for (const line of dts.split('\n')) {
    const cls = /^declare class (\w+Api) \{/.exec(line);
    if (cls) {
      api = cls[1];
      continue;
    }
    if (!api) continue;
    if (/^\}/.test(line)) {
      api = undefined;
      continue;
    }
    const method = /^\s+(\w+)\(.*\): Promise<(.*)>;\s*$/.exec(line);
    if (method) {
      const model = /^Models\.(\w+)$/.exec(method[2]);
      returns.set(`${api}.${method[1]}`, model ? model[1] : null);
    }
  }
  return returns;
}

/** Every `callApi('path', 'METHOD', …)` of the generated API classes, by `Class.method`. */
function parseEndpoints(apiDir: string): Map<string, { method: string; path: string }> {
  const endpoints = new Map<string, { method: string; path: string }>();
  const pattern = /\n\t(\w+)\([^)]*\) \{[\s\S]*?this\.apiClient\.callApi\(\s*'([^']+)',\s*'([A-Z]+)'/g;
  for (const file of readdirSync(apiDir).filter((f) => f.endsWith('Api.js'))) {
    const api = file.replace(/\.js$/, '');
    const source = readFileSync(join(apiDir, file), 'utf8');
    for (const m of source.matchAll(pattern)) endpoints.set(`${api}.${m[1]}`, { method: m[3], path: m[2] });
  }
  return endpoints;
}

export function loadSdkContract(packageDir = dirname(require.resolve(`${SDK_PACKAGE}/package.json`))): SdkContract {
  const dts = readFileSync(join(packageDir, 'index.d.ts'), 'utf8');
  const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  const models = parseModels(dts);
  const returns = parseReturnTypes(dts);
  const routes = new Map<string, string | null>();
  for (const [name, endpoint] of parseEndpoints(join(packageDir, 'src', SDK_PACKAGE, 'api'))) {
    const model = returns.get(name);
    if (model === undefined) continue;
    routes.set(routeShape(endpoint.method, endpoint.path), model);
  }
  return { version, models, routes };
}
