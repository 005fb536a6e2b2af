/**
 * `npm run bench` runs every `tools/bench/*.bench.ts` in turn and rewrites
 * BENCHMARKS.md with their sections. `--quick` runs the short CI versions and prints
 * them without touching BENCHMARKS.md; `--only <name>` runs one benchmark.
 *
 * A benchmark module exports `default { name, run({ quick }) }` and returns a Markdown
 * section; each compares against a baseline measured in the same run (ratios, not
 * absolute times), since machines differ.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

export interface Benchmark {
  name: string;
  run(options: { quick: boolean }): Promise<string>;
}

const root = resolve(__dirname, '../..');
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined;
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const sections: string[] = [];
  let failed = 0;
  for (const file of files) {
    const bench = (await import(join(__dirname, file))).default as Benchmark;
    if (only && bench.name !== only && !file.startsWith(only)) continue;
    process.stderr.write(`bench: ${bench.name}${quick ? ' (quick)' : ''}…\n`);
    const started = Date.now();
    try {
      const section = await bench.run({ quick });
      sections.push(section.trim());
      process.stdout.write(`${section.trim()}\n\n`);
      process.stderr.write(`bench: ${bench.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      failed++;
      process.stderr.write(`bench: ${bench.name} FAILED: ${(error as Error).stack ?? error}\n`);
    }
  }
  if (!quick && !only && failed === 0) writeReport(sections);
  if (failed > 0) process.exitCode = 1;
}

function writeReport(sections: string[]): void {
  const path = join(root, 'BENCHMARKS.md');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = `# Benchmarks\n\n${START}\n${END}\n`;
  }
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const body = [
    `Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.`,
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${text.slice(0, start + START.length)}\n${body}${text.slice(end)}`
      : `${text.trimEnd()}\n\n${START}\n${body}${END}\n`;
  writeFileSync(path, next);
}

void main();
