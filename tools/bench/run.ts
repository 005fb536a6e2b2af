/**
 * `npm run bench` runs every `tools/bench/*.bench.ts` in turn and writes their sections
 * into BENCHMARKS.md. `--quick` runs the short CI versions and only prints them;
 * `--only <name>[,<name>]` runs some (by bench name or file name without `.bench.ts`).
 *
 * A benchmark module exports `default { name, run({ quick }) }` and returns a Markdown
 * section; each compares against a baseline measured in the same run (ratios, not
 * absolute times), since machines differ.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

/** A section, or a section for a block of its own (a benchmark with variants, e.g. one per database). */
export type BenchmarkResult = string | { block: string; section: string };

export interface Benchmark {
  name: string;
  run(options: { quick: boolean }): Promise<BenchmarkResult>;
}

const root = resolve(__dirname, '../..');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.flatMap((arg, i) => (args[i - 1] === '--only' ? arg.split(',') : []));
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const sections = new Map<string, string>();
  let failed = 0;
  for (const file of files) {
    const bench = (await import(join(__dirname, file))).default as Benchmark;
    const base = file.replace(/\.bench\.ts$/, '');
    if (only.length > 0 && !only.includes(bench.name) && !only.includes(base)) continue;
    process.stderr.write(`bench: ${bench.name}${quick ? ' (quick)' : ''}…\n`);
    const started = Date.now();
    try {
      const result = await bench.run({ quick });
      const [block, text] = typeof result === 'string' ? [base, result] : [result.block, result.section];
      const section = text.trim();
      sections.set(block, section);
      process.stdout.write(`${section}\n\n`);
      process.stderr.write(`bench: ${bench.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      failed++;
      process.stderr.write(`bench: ${bench.name} FAILED: ${(error as Error).stack ?? error}\n`);
    }
  }
  if (!quick && sections.size > 0) writeReport(sections);
  if (failed > 0) process.exitCode = 1;
}

/**
 * BENCHMARKS.md keeps one marked block per benchmark, so running a subset
 * (`--only name`) refreshes those blocks and leaves the others as they were.
 */
function writeReport(sections: Map<string, string>): void {
  const path = join(root, 'BENCHMARKS.md');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = HEADER;
  }
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  for (const [name, section] of sections) {
    const start = `<!-- bench:${name}:start -->`;
    const end = `<!-- bench:${name}:end -->`;
    const block = `${start}\n_Measured ${date} on ${machine}._\n\n${section}\n${end}`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    text = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  }
  writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`);
}

const HEADER = `# Benchmarks

Made by \`npm run bench\` (all) or \`npm run bench -- --only <name>\` (one block). Every benchmark
compares against a baseline measured in the same run, so the ratios, not the absolute times,
are what carries from one machine to another. CI runs the short versions
(\`npm run bench -- --quick\`), which print and write nothing here.
`;

void main();
