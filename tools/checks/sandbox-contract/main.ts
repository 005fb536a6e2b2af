import { existsSync } from 'node:fs';
import { ContractChecker, checkRecordingDir, formatReport } from './contract-check';
import { loadSdkContract } from './sdk-models';

/**
 * `tsx tools/checks/sandbox-contract/main.ts <record dir>`: checks the sandbox traffic the test
 * suite recorded (GCM_SANDBOX_RECORD_DIR) against the official SDK's models, prints the
 * summary and exits 1 on a violation (or when there is nothing to check).
 */
function main(): number {
  const dir = process.argv[2];
  if (!dir || !existsSync(dir)) {
    console.error(`usage: sandbox-contract <record dir>; ${dir ? `${dir} does not exist` : 'no directory given'} (run the tests with GCM_SANDBOX_RECORD_DIR set)`);
    return 2;
  }
  const checker = new ContractChecker(loadSdkContract());
  const files = checkRecordingDir(dir, checker);
  const report = checker.result();
  console.log(`${files} recording files`);
  console.log(formatReport(report));
  if (report.bodies === 0) {
    console.error('nothing was checked: no recorded body has a model');
    return 1;
  }
  return report.violations.length > 0 ? 1 : 0;
}

process.exitCode = main();
