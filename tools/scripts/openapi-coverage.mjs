// Prints what the API's e2e specs checked against apps/api/openapi.json: operations covered,
// responses validated, statuses seen per operation. Reads the JSON files the test harness
// writes into GCM_OPENAPI_COVERAGE_DIR (apps/api/src/test/openapi-contract.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [directory = 'tmp/openapi-coverage', documentPath = 'apps/api/openapi.json'] = process.argv.slice(2);
const document = JSON.parse(readFileSync(documentPath, 'utf8'));
const documented = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((method) => ['get', 'put', 'post', 'delete', 'patch'].includes(method))
    .map((method) => `${method.toUpperCase()} ${path}`),
);

let files = [];
try {
  files = readdirSync(directory).filter((name) => name.endsWith('.json'));
} catch {
  console.log(`openapi contract: no coverage in ${directory} (run the API specs with GCM_OPENAPI_COVERAGE_DIR=${directory})`);
  process.exit(0);
}
const seen = new Map();
let responses = 0;
let outside = 0;
for (const file of files) {
  const report = JSON.parse(readFileSync(join(directory, file), 'utf8'));
  outside += report.outsideDocument ?? 0;
  for (const [operation, statuses] of Object.entries(report.operations)) {
    const counts = seen.get(operation) ?? new Map();
    for (const [status, count] of Object.entries(statuses)) {
      counts.set(status, (counts.get(status) ?? 0) + count);
      responses += count;
    }
    seen.set(operation, counts);
  }
}
const covered = documented.filter((operation) => seen.has(operation));
console.log(`openapi contract: ${covered.length}/${documented.length} operations covered, ${responses} responses validated against ${documentPath} (${outside} to paths outside it: /review, /docs, unknown routes)`);
for (const operation of documented) {
  const counts = seen.get(operation);
  const statuses = counts ? [...counts].sort(([a], [b]) => Number(a) - Number(b)).map(([status, count]) => `${status}×${count}`).join(' ') : 'not covered';
  console.log(`  ${operation.padEnd(44)} ${statuses}`);
}
