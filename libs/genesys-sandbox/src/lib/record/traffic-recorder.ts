import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** What the sandbox sent: a REST body by route, a notification frame by topic, a guest frame by class. */
export type RecordedTraffic =
  | { kind: 'rest'; route: string; status: number; body: unknown }
  | { kind: 'notification'; topic: string; body: unknown }
  | { kind: 'guest'; frameClass: string; body: unknown };

/** The variable that turns recording on for every sandbox a process starts (the test suite in CI). */
export const SANDBOX_RECORD_DIR_VARIABLE = 'GCM_SANDBOX_RECORD_DIR';

/** Distinct shapes kept per route, topic or frame class: enough for the contract check, small on disk. */
const MAX_SHAPES_PER_KEY = 200;
const FLUSH_BYTES = 256 * 1024;

/**
 * Appends what the sandbox sends to `<dir>/sandbox-<pid>-<n>.jsonl`, one JSON line each, for
 * the contract check against the SDK's models (`tools/checks/sandbox-contract`). Only bodies
 * of a shape not yet seen for their key are kept (the shape: field names, nesting and value
 * types, not values), so a suite's worth of traffic stays a few MB; lines are buffered and
 * written synchronously, on close and at process exit at the latest.
 */
export class TrafficRecorder {
  private static files = 0;
  private readonly file: string;
  private readonly shapes = new Map<string, Set<string>>();
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private readonly flushAtExit = () => this.flush();

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `sandbox-${process.pid}-${++TrafficRecorder.files}.jsonl`);
    process.once('exit', this.flushAtExit);
  }

  record(entry: RecordedTraffic): void {
    // topics by family (ids blanked): one queue's frames have the shapes of every other's
    const key =
      entry.kind === 'rest' ? `${entry.route} ${entry.status}` : entry.kind === 'notification' ? entry.topic.replace(/\.[^.]*\d[^.]*(?=\.|$)/g, '.{id}') : entry.frameClass;
    let seen = this.shapes.get(`${entry.kind}|${key}`);
    if (!seen) {
      seen = new Set();
      this.shapes.set(`${entry.kind}|${key}`, seen);
    }
    if (seen.size >= MAX_SHAPES_PER_KEY) return;
    const shape = shapeOf(entry.body);
    if (seen.has(shape)) return;
    seen.add(shape);
    const line = JSON.stringify(entry);
    this.buffer.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    appendFileSync(this.file, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
    this.bufferedBytes = 0;
  }

  close(): void {
    this.flush();
    process.off('exit', this.flushAtExit);
  }
}

/** The structure of a JSON value: keys, nesting and types (array items merged), never values. */
function shapeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${[...new Set(value.map(shapeOf))].sort().join('|')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object).sort();
    return `{${keys.map((k) => `${k}:${shapeOf((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return typeof value;
}
