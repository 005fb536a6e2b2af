import type { RequestContext } from './request-context';

export type RouteHandler = (ctx: RequestContext) => Promise<void> | void;

/**
 * Which part of the server a route belongs to. It decides the pipeline: `api` routes need
 * a bearer token and count against the rate limit; `login` is the token endpoint; `media`
 * stands in for presigned upload/download URLs (no token); `admin` is /__sandbox/*, which
 * faults never touch; `guest` routes take a web messaging guest JWT, which the handler checks.
 */
export type RouteScope = 'api' | 'login' | 'media' | 'admin' | 'guest';

export interface RouteDefinition {
  method: string;
  /** Path pattern with `:name` parameters, e.g. /api/v2/conversations/:conversationId */
  pattern: string;
  scope: RouteScope;
  handler: RouteHandler;
}

export interface RouteMatch {
  route: RouteDefinition;
  params: Record<string, string>;
}

interface CompiledRoute {
  definition: RouteDefinition;
  segments: string[];
}

/**
 * A deliberately tiny router: exact segment matching with `:param` segments. When several
 * patterns match, the one with a literal segment earliest wins, so
 * /conversations/messages/agentless beats /conversations/messages/:conversationId.
 */
export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(definition: RouteDefinition): this {
    this.routes.push({ definition, segments: splitPath(definition.pattern) });
    return this;
  }

  get(pattern: string, scope: RouteScope, handler: RouteHandler): this {
    return this.add({ method: 'GET', pattern, scope, handler });
  }

  post(pattern: string, scope: RouteScope, handler: RouteHandler): this {
    return this.add({ method: 'POST', pattern, scope, handler });
  }

  put(pattern: string, scope: RouteScope, handler: RouteHandler): this {
    return this.add({ method: 'PUT', pattern, scope, handler });
  }

  patch(pattern: string, scope: RouteScope, handler: RouteHandler): this {
    return this.add({ method: 'PATCH', pattern, scope, handler });
  }

  delete(pattern: string, scope: RouteScope, handler: RouteHandler): this {
    return this.add({ method: 'DELETE', pattern, scope, handler });
  }

  head(pattern: string, scope: RouteScope, handler: RouteHandler): this {
    return this.add({ method: 'HEAD', pattern, scope, handler });
  }

  /** The best route for method and path; `pathExists` tells a 405 from a 404. */
  match(method: string, path: string): { match?: RouteMatch; pathExists: boolean } {
    const segments = splitPath(path);
    let best: { route: CompiledRoute; params: Record<string, string> } | undefined;
    let pathExists = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      pathExists = true;
      if (route.definition.method !== method) continue;
      if (!best || moreSpecific(route.segments, best.route.segments)) best = { route, params };
    }
    return { match: best && { route: best.route.definition, params: best.params }, pathExists };
  }

  definitions(): RouteDefinition[] {
    return this.routes.map((r) => r.definition);
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function matchSegments(pattern: string[], path: string[]): Record<string, string> | undefined {
  if (pattern.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(path[i]);
      } catch {
        return undefined;
      }
      params[p.slice(1)] = value;
    } else if (p !== path[i]) {
      return undefined;
    }
  }
  return params;
}

function moreSpecific(a: string[], b: string[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const aLiteral = !a[i].startsWith(':');
    const bLiteral = !b[i].startsWith(':');
    if (aLiteral !== bLiteral) return aLiteral;
  }
  return false;
}
