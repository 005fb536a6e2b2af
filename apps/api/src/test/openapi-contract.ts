import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
// the router alone: the package's index pulls an ESM-only $ref parser that Jest's CommonJS runtime cannot load
import { OpenAPIRouter } from 'openapi-backend/router';
import type { OpenAPIV3 } from 'openapi-types';

/** The committed document every response of the e2e specs is checked against. */
export const COMMITTED_OPENAPI_PATH = join(__dirname, '../../openapi.json');

/** When set, each harness writes the responses it checked there (one JSON file each) for `tools/scripts/openapi-coverage.mjs`. */
export const CONTRACT_COVERAGE_DIR_ENV = 'GCM_OPENAPI_COVERAGE_DIR';

const DOCUMENT_ID = 'gcm-openapi';

/** A response as the client received it. */
export interface ObservedResponse {
  readonly method: string;
  /** Path and query as requested, e.g. `/v1/audit?limit=5`. */
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  /** The body as text; `undefined` when the caller reads it as a stream (only status, headers and content type are checked). */
  readonly text: string | undefined;
}

export interface ContractCheck {
  /** `GET /v1/audit`: the operation's method and path template; undefined when no operation matches. */
  readonly operation: string | undefined;
  readonly status: number;
  /** What contradicts the document; empty when the response conforms. */
  readonly violations: readonly string[];
  /** The document, as named in messages. */
  readonly source: string;
}

export class ContractViolationError extends Error {
  constructor(readonly check: ContractCheck) {
    super(`${check.operation} answered ${check.status}, which contradicts ${check.source}:\n  - ${check.violations.join('\n  - ')}`);
    this.name = 'ContractViolationError';
  }
}

type Document = OpenAPIV3.Document;
type ResponseObject = OpenAPIV3.ResponseObject;

/**
 * Checks HTTP responses against an OpenAPI 3 document: the status is one the operation
 * documents, the content type is one documented for that status, the body matches its
 * schema (JSON bodies, and strings for text types), and the documented required headers
 * are present and valid. Operations are matched by openapi-backend's router; schemas are
 * validated by Ajv against the document itself, so `$ref`s resolve as a client resolves them.
 */
export class OpenApiContract {
  private readonly router: OpenAPIRouter<Document>;
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    readonly document: Document,
    /** How messages name the document. */
    readonly source = 'apps/api/openapi.json',
  ) {
    this.router = new OpenAPIRouter<Document>({ definition: document, apiRoot: '/' });
    // strict: false lets the document's OpenAPI keywords (example, nullable…) through; `nullable` is honoured by Ajv itself
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema(document as unknown as object, DOCUMENT_ID);
  }

  static fromFile(path = COMMITTED_OPENAPI_PATH): OpenApiContract {
    return new OpenApiContract(JSON.parse(readFileSync(path, 'utf8')) as Document);
  }

  check(response: ObservedResponse): ContractCheck {
    const url = new URL(response.url, 'http://api.invalid');
    const operation = this.router.matchOperation({ method: response.method.toLowerCase(), path: url.pathname, headers: {} });
    if (!operation) return { operation: undefined, status: response.status, violations: [], source: this.source };
    const name = `${operation.method.toUpperCase()} ${operation.path}`;
    const violations: string[] = [];
    const documented = Object.keys(operation.responses);
    const key = [String(response.status), `${String(response.status)[0]}XX`, 'default'].find((candidate) => candidate in operation.responses);
    if (!key) {
      violations.push(`status ${response.status} is not documented for ${name} (documented: ${documented.join(', ')})`);
      return { operation: name, status: response.status, violations, source: this.source };
    }
    const pointer = `#/paths/${escapePointer(operation.path)}/${operation.method}/responses/${key}`;
    const declared = operation.responses[key] as ResponseObject;
    this.checkHeaders(declared, pointer, response.headers, violations);
    this.checkBody(declared, pointer, response, violations);
    return { operation: name, status: response.status, violations, source: this.source };
  }

  private checkHeaders(declared: ResponseObject, pointer: string, headers: Headers, violations: string[]): void {
    for (const [name, header] of Object.entries(declared.headers ?? {}) as Array<[string, OpenAPIV3.HeaderObject]>) {
      const value = headers.get(name);
      if (value === null) {
        if (header.required) violations.push(`required header ${name} is missing (${pointer}/headers/${name})`);
        continue;
      }
      if (!header.schema) continue;
      const schema = header.schema as OpenAPIV3.SchemaObject;
      const typed = schema.type === 'integer' || schema.type === 'number' ? (/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value) : value;
        const schemaPointer = `${pointer}/headers/${escapePointer(name)}/schema`;
      for (const error of this.validate(schemaPointer, typed)) violations.push(`header ${name}: ${describe(error, schemaPointer, this.baseOf(schemaPointer), 'value')}`);
    }
  }

  private checkBody(declared: ResponseObject, pointer: string, response: ObservedResponse, violations: string[]): void {
    const contentType = response.headers.get('content-type');
    const empty = response.text === '' || (response.text === undefined && contentType === null);
    if (!declared.content || Object.keys(declared.content).length === 0) {
      if (!empty) violations.push(`a body of type ${contentType ?? '(none)'} was answered, but the document declares none for ${response.status} (${pointer})`);
      return;
    }
    if (empty) {
      violations.push(`no body was answered, but the document declares ${Object.keys(declared.content).join(', ')} (${pointer}/content)`);
      return;
    }
    const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
    const mediaKey = Object.keys(declared.content).find((candidate) => mediaTypeMatches(candidate, mediaType));
    if (!mediaKey) {
      violations.push(`content type ${contentType ?? '(none)'} is not documented (documented: ${Object.keys(declared.content).join(', ')}) (${pointer}/content)`);
      return;
    }
    if (response.text === undefined || !declared.content[mediaKey].schema) return;
    const schemaPointer = `${pointer}/content/${escapePointer(mediaKey)}/schema`;
    let body: unknown = response.text;
    if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
      try {
        body = JSON.parse(response.text);
      } catch {
        violations.push(`the ${mediaType} body is not JSON (${schemaPointer})`);
        return;
      }
    }
    for (const error of this.validate(schemaPointer, body)) violations.push(describe(error, schemaPointer, this.baseOf(schemaPointer), 'body'));
  }

  /** Where Ajv's schema paths start for a schema: the component it refers to, or the schema itself. */
  private baseOf(schemaPointer: string): string {
    const schema = schemaPointer
      .slice(2)
      .split('/')
      .reduce<unknown>((node, segment) => (node as Record<string, unknown> | undefined)?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')], this.document);
    const ref = (schema as { $ref?: unknown } | undefined)?.$ref;
    return typeof ref === 'string' && ref.startsWith('#/') ? ref : schemaPointer;
  }

  private validate(schemaPointer: string, value: unknown): ErrorObject[] {
    let validator = this.validators.get(schemaPointer);
    if (!validator) {
      validator = this.ajv.compile({ $ref: `${DOCUMENT_ID}${schemaPointer}` });
      this.validators.set(schemaPointer, validator);
    }
    return validator(value) ? [] : (validator.errors ?? []);
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function mediaTypeMatches(declared: string, actual: string): boolean {
  const [type, subtype] = declared.toLowerCase().split('/');
  const [actualType, actualSubtype] = actual.split('/');
  return (type === '*' || type === actualType) && (subtype === '*' || subtype === actualSubtype);
}

/** `body.items[0].seq must be integer (schema #/components/schemas/AuditRecordDto/properties/seq/type)` */
function describe(error: ErrorObject, schemaPointer: string, base: string, subject: string): string {
  const at = `${subject}${error.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')}`;
  const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : error.keyword === 'enum' ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
  // Ajv reports a path from the document's root (through the $ref it followed, or inside a further one), or from the first schema it resolved
  const raw = error.schemaPath.startsWith(DOCUMENT_ID) ? error.schemaPath.slice(DOCUMENT_ID.length) : error.schemaPath;
  const absolute = /^#\/(components|paths)\//.test(raw);
  const schemaPath = !absolute ? `${base}${raw.slice(1)}` : raw.startsWith(`${schemaPointer}/`) ? `${base}${raw.slice(schemaPointer.length)}` : raw;
  return `${at} ${error.message ?? 'is invalid'}${extra} (schema ${schemaPath})`;
}

/** Responses checked by one harness: which operations, which statuses. */
export class ContractCoverage {
  private readonly seen = new Map<string, Map<number, number>>();
  private outside = 0;

  record(check: ContractCheck): void {
    if (!check.operation) {
      this.outside++;
      return;
    }
    const statuses = this.seen.get(check.operation) ?? new Map<number, number>();
    statuses.set(check.status, (statuses.get(check.status) ?? 0) + 1);
    this.seen.set(check.operation, statuses);
  }

  /** Writes what was seen into `GCM_OPENAPI_COVERAGE_DIR` when it is set (one file per harness). */
  flush(label: string): void {
    const directory = process.env[CONTRACT_COVERAGE_DIR_ENV];
    if (!directory || (this.seen.size === 0 && this.outside === 0)) return;
    mkdirSync(directory, { recursive: true });
    const operations = Object.fromEntries([...this.seen].map(([operation, statuses]) => [operation, Object.fromEntries(statuses)]));
    const file = join(directory, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.json`);
    writeFileSync(file, `${JSON.stringify({ label, operations, outsideDocument: this.outside })}\n`);
  }
}

let committed: OpenApiContract | undefined;

/** The contract of the committed document, built once per test file. */
export function committedContract(): OpenApiContract {
  committed ??= OpenApiContract.fromFile();
  return committed;
}
