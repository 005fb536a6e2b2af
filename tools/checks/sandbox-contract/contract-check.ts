import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedTraffic } from '@gcm/genesys-sandbox';
import { routeShape, type SdkContract, type TypeRef } from './sdk-models';

/**
 * The notification topics the sandbox publishes → the SDK model of their eventBody. The npm
 * package ships no topic → model table, but the SDK names the models after the topics
 * (`v2.routing.queues.{id}.conversations.messages` → `QueueConversationMessageEventTopic…`).
 */
export const TOPIC_MODELS: ReadonlyArray<{ family: string; pattern: RegExp; model: string }> = [
  { family: 'v2.routing.queues.{id}.conversations.messages', pattern: /^v2\.routing\.queues\.[^.]+\.conversations\.messages$/, model: 'QueueConversationMessageEventTopicMessageConversation' },
  { family: 'v2.users.{id}.conversations.messages', pattern: /^v2\.users\.[^.]+\.conversations\.messages$/, model: 'ConversationMessageEventTopicMessageConversation' },
  { family: 'v2.routing.queues.{id}.conversations', pattern: /^v2\.routing\.queues\.[^.]+\.conversations$/, model: 'QueueConversationEventTopicConversation' },
  { family: 'v2.users.{id}.conversations', pattern: /^v2\.users\.[^.]+\.conversations$/, model: 'ConversationEventTopicConversation' },
];

/** Control topics, named by family (the channel id or other suffix blanked). */
function topicFamily(topic: string): string {
  const known = TOPIC_MODELS.find((t) => t.pattern.test(topic));
  if (known) return known.family;
  const system = /^(v2\.system\.[a-z_]+)\..+$/.exec(topic);
  return system ? `${system[1]}.{id}` : topic;
}

export interface Violation {
  /** Route, topic family or guest frame class. */
  where: string;
  /** JSON path in the body, e.g. `participants[0].queueId`. */
  path: string;
  problem: string;
}

export interface ContractReport {
  sdkVersion: string;
  bodies: number;
  fieldsChecked: number;
  /** Routes, topic families and frame classes checked against a model, with the model. */
  covered: Map<string, string>;
  /** Recorded but without a model in the SDK. */
  noModel: Set<string>;
  violations: Violation[];
}

const ERROR_MODEL = 'ErrorBody';

/**
 * Required in the SDK model, which is also the request body, but a secret: the sandbox never
 * sends it back (secrets never leave it; whether Genesys echoes it is not documented). The
 * only exception to "every required field" (docs/genesys-api.md §8).
 */
const WRITE_ONLY_REQUIRED = new Set(['OpenIntegration.outboundNotificationWebhookSignatureSecretToken']);

/** Checks recorded traffic against the SDK's models: only known fields, the right types, every required field. */
export class ContractChecker {
  private readonly report: ContractReport;

  constructor(private readonly sdk: SdkContract) {
    this.report = { sdkVersion: sdk.version, bodies: 0, fieldsChecked: 0, covered: new Map(), noModel: new Set(), violations: [] };
  }

  check(entry: RecordedTraffic): void {
    if (entry.kind === 'rest') return this.checkRest(entry.route, entry.status, entry.body);
    if (entry.kind === 'notification') return this.checkFrame(entry.topic, entry.body);
    // web messaging guest frames: neither Platform SDK has their models (genesys-api.md §8)
    this.report.noModel.add(`guest ${entry.frameClass}`);
  }

  result(): ContractReport {
    return this.report;
  }

  private checkRest(route: string, status: number, body: unknown): void {
    const [method, path] = route.split(' ');
    const key = routeShape(method, path);
    // the login host answers in OAuth's own error format, which the Platform SDK does not model
    const model = status >= 400 ? (path.startsWith('/oauth/') ? undefined : ERROR_MODEL) : this.sdk.routes.get(key);
    const where = status >= 400 ? `${route} (error)` : route;
    if (!model) {
      this.report.noModel.add(where);
      return;
    }
    this.report.covered.set(where, model);
    this.report.bodies++;
    this.value(where, '', body, { kind: 'ref', model });
  }

  private checkFrame(topic: string, frame: unknown): void {
    const family = topicFamily(topic);
    const known = TOPIC_MODELS.find((t) => t.pattern.test(topic));
    if (!known) {
      this.report.noModel.add(`notification ${family}`);
      return;
    }
    const where = `notification ${family}`;
    this.report.covered.set(where, known.model);
    this.report.bodies++;
    this.value(where, 'eventBody', (frame as { eventBody?: unknown })?.eventBody, { kind: 'ref', model: known.model });
  }

  private value(where: string, path: string, value: unknown, type: TypeRef): void {
    this.report.fieldsChecked++;
    if (value === null || value === undefined) return;
    switch (type.kind) {
      case 'any':
        return;
      case 'string':
      case 'number':
      case 'boolean':
        if (typeof value !== type.kind) this.fail(where, path, `is ${describe(value)}, the model says ${type.kind}`);
        return;
      case 'array':
        if (!Array.isArray(value)) return this.fail(where, path, `is ${describe(value)}, the model says an array`);
        value.forEach((item, i) => this.value(where, `${path}[${i}]`, item, type.of));
        return;
      case 'map':
        if (!isObject(value)) return this.fail(where, path, `is ${describe(value)}, the model says an object map`);
        for (const [k, v] of Object.entries(value)) this.value(where, `${path}.${k}`, v, type.of);
        return;
      case 'ref': {
        const model = this.sdk.models.get(type.model);
        if (!model) return this.fail(where, path, `has model ${type.model}, which the SDK does not define`);
        if (!isObject(value)) return this.fail(where, path, `is ${describe(value)}, the model ${type.model} is an object`);
        for (const [name, field] of model) {
          if (field.required && (value as Record<string, unknown>)[name] === undefined && !WRITE_ONLY_REQUIRED.has(`${type.model}.${name}`)) {
            this.fail(where, join2(path, name), `is missing; ${type.model}.${name} is required`);
          }
        }
        for (const [name, v] of Object.entries(value)) {
          const field = model.get(name);
          if (!field) {
            this.fail(where, join2(path, name), `is not a field of ${type.model}`);
            continue;
          }
          this.value(where, join2(path, name), v, field.type);
        }
        return;
      }
    }
  }

  private fail(where: string, path: string, problem: string): void {
    this.report.violations.push({ where, path: path || '(body)', problem });
  }
}

function join2(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Reads every `*.jsonl` of a recording directory into the checker. */
export function checkRecordingDir(dir: string, checker: ContractChecker): number {
  let files = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    files++;
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim()) checker.check(JSON.parse(line) as RecordedTraffic);
    }
  }
  return files;
}

/** The printed summary: coverage, fields checked, what has no model, then each distinct violation. */
export function formatReport(report: ContractReport, maxViolations = 50): string {
  const lines: string[] = [];
  lines.push(`sandbox contract check against ${'purecloud-platform-client-v2'} ${report.sdkVersion}: ${report.bodies} bodies, ${report.fieldsChecked} fields checked`);
  lines.push(`covered (${report.covered.size}):`);
  for (const [where, model] of [...report.covered].sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${where} → ${model}`);
  lines.push(`no model in the SDK (${report.noModel.size}):`);
  for (const where of [...report.noModel].sort()) lines.push(`  ${where}`);
  const distinct = new Map<string, Violation>();
  for (const v of report.violations) distinct.set(`${v.where}|${v.path.replace(/\[\d+\]/g, '[]')}|${v.problem}`, v);
  lines.push(`violations: ${report.violations.length} (${distinct.size} distinct)`);
  for (const v of [...distinct.values()].slice(0, maxViolations)) lines.push(`  ${v.where}: ${v.path.replace(/\[\d+\]/g, '[]')} ${v.problem}`);
  if (distinct.size > maxViolations) lines.push(`  … and ${distinct.size - maxViolations} more`);
  return lines.join('\n');
}
