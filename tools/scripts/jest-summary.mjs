// Prints the closing line CI reads, from Jest's --json results: `N passed, N failed`.
// Several result files (the main run, the memory project run with --expose-gc) are summed.
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  let results;
  try {
    results = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.log(`jest results missing: ${file} (${error.message})`);
    failed++;
    continue;
  }
  passed += results.numPassedTests ?? 0;
  // a suite that failed to load has no failed tests, only a failed suite: count it too
  failed += (results.numFailedTests ?? 0) + (results.numRuntimeErrorTestSuites ?? 0);
  skipped += (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
}
if (files.length === 0) {
  console.log('no jest results given');
  failed++;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
