import { existsSync } from 'node:fs';
import { verifyAuditTrail } from '@gcm/audit';
import { UsageError } from '../runtime/cli.error';
import type { CommandContext } from '../runtime/command-context';
import { ExitCode } from '../runtime/exit-code';

export interface AuditVerifyOptions {
  readonly dir?: string;
  readonly expectedHead?: string;
}

/**
 * `gcm audit verify`: walks the whole trail (constant memory) and reports every edited,
 * deleted, reordered or torn record, a rewritten chain, and — given the head recorded
 * elsewhere — a cut-off end. Exit 1 when anything is wrong.
 */
export async function runAuditVerify(context: CommandContext, options: AuditVerifyOptions): Promise<ExitCode> {
  const directory = options.dir ?? context.settings.auditDir;
  if (!existsSync(directory)) throw new UsageError(`There is no audit trail at ${directory}`, 'Pass --dir or set GCM_AUDIT_DIR (the scheduler writes ./var/audit, the API ./var/audit/api).');
  const expectedHead = options.expectedHead !== undefined ? parseHead(options.expectedHead) : undefined;
  const report = await verifyAuditTrail(directory, { ...(expectedHead ? { expectedHead } : {}) });
  context.output.result({ directory, ...report }, () => [
    `${report.ok ? 'ok' : 'FAILED'}: ${report.records.toLocaleString('en-US')} records in ${report.files} file${report.files === 1 ? '' : 's'} under ${directory}`,
    `head ${report.lastSeq}:${report.lastHash}`,
    ...report.issues.map((issue) => `  ${issue.kind}  ${issue.file}${issue.line ? `:${issue.line}` : ''}${issue.seq !== undefined ? ` (seq ${issue.seq})` : ''}  ${issue.message}`),
    ...(report.issuesTruncated ? ['  … more issues (only the first 100 are listed)'] : []),
  ]);
  if (report.records === 0 && report.ok) context.output.warn(`${directory} holds no audit records`);
  return report.ok ? ExitCode.Ok : ExitCode.Failure;
}

function parseHead(value: string): { seq: number; hash: string } {
  const match = /^(\d+):([0-9a-f]{64})$/i.exec(value.trim());
  if (!match) throw new UsageError(`--expected-head ${JSON.stringify(value)} must look like <seq>:<sha256 hex>`, 'Take it from the "head" line of an earlier verify.');
  return { seq: Number(match[1]), hash: match[2].toLowerCase() };
}
