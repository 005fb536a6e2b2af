import { GENESIS_HASH, ParsedLine, parseRecordLine } from './audit-record';
import { listTrailFiles, readLineBatches } from './audit-files';

export type AuditIssueKind =
  /** a record's bytes changed after it was written */
  | 'hash-mismatch'
  /** a record does not point at the hash of the record before it */
  | 'chain-break'
  /** seq jumps forward: lines were deleted, or a rotated file is missing or truncated */
  | 'missing-records'
  /** seq goes backwards or repeats: lines were reordered or duplicated */
  | 'out-of-order'
  /** a line is not a record line */
  | 'malformed-line'
  /** a file ends in the middle of a line (a crash during a write, or truncation) */
  | 'torn-line'
  /** the trail ends before the head the caller expected (truncation at the end) */
  | 'missing-tail'
  /** the last record is not the head the caller expected */
  | 'head-mismatch';

export interface AuditIssue {
  readonly kind: AuditIssueKind;
  /** file name within the trail directory */
  readonly file: string;
  /** 1-based line number; 0 when the issue is about the file as a whole */
  readonly line: number;
  readonly seq?: number;
  readonly expected?: string;
  readonly actual?: string;
  readonly message: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly files: number;
  readonly records: number;
  readonly lastSeq: number;
  readonly lastHash: string;
  readonly issues: readonly AuditIssue[];
  /** more issues existed than `maxIssues` */
  readonly issuesTruncated: boolean;
}

export interface VerifyOptions {
  /** file name prefix (default "audit") */
  readonly prefix?: string;
  /** the head recorded elsewhere (a database, a previous verification): detects a cut-off end */
  readonly expectedHead?: { readonly seq: number; readonly hash: string };
  /** stop collecting after this many issues (default 100) */
  readonly maxIssues?: number;
}

/**
 * Walks the whole trail in seq order, streaming each file, and checks every record: its
 * hash against its bytes, its seq against the previous one (and the first seq in the file
 * name), its prevHash against the previous hash. After a problem the walk re-anchors on
 * the record it read, so one edited or deleted line is reported once, where it happened.
 */
export async function verifyAuditTrail(directory: string, options: VerifyOptions = {}): Promise<AuditVerification> {
  const maxIssues = options.maxIssues ?? 100;
  const issues: AuditIssue[] = [];
  let issuesTruncated = false;
  const report = (issue: AuditIssue): void => {
    if (issues.length < maxIssues) issues.push(issue);
    else issuesTruncated = true;
  };

  const files = await listTrailFiles(directory, options.prefix ?? 'audit');
  let lastSeq = 0;
  let lastHash = GENESIS_HASH;
  let lastFile = '';
  // after a malformed line the next record cannot be checked against its predecessor
  let anchored = true;
  let records = 0;

  for (const [fileIndex, file] of files.entries()) {
    const isLastFile = fileIndex === files.length - 1;
    if (anchored && file.firstSeq !== lastSeq + 1) {
      const kind = file.firstSeq > lastSeq + 1 ? 'missing-records' : 'out-of-order';
      report({
        kind,
        file: file.name,
        line: 0,
        seq: file.firstSeq,
        expected: String(lastSeq + 1),
        actual: String(file.firstSeq),
        message:
          kind === 'missing-records'
            ? `${file.name} starts at seq ${file.firstSeq} but the trail ${lastFile === '' ? 'has no earlier file' : `ended at seq ${lastSeq} in ${lastFile}`}: ` +
              `records ${lastSeq + 1}..${file.firstSeq - 1} are missing (a rotated file was deleted${lastFile === '' ? '' : ` or ${lastFile} was truncated`}).`
            : `${file.name} starts at seq ${file.firstSeq}, at or before seq ${lastSeq} already seen: files overlap or were copied.`,
      });
      anchored = false;
    }

    let lineNumber = 0;
    for await (const { lines, unterminated } of readLineBatches(file.path)) {
      for (const line of lines) {
        lineNumber++;
        const parsed = parseRecordLine(line);
        if (parsed === undefined) {
          report({
            kind: 'malformed-line',
            file: file.name,
            line: lineNumber,
            message: `${file.name} line ${lineNumber} is not an audit record line.`,
          });
          anchored = false;
          continue;
        }
        records++;
        // the happy path allocates nothing: issues are only built for suspicious records
        const suspicious =
          parsed.computedHash !== parsed.hash ||
          (anchored && (parsed.seq !== lastSeq + 1 || parsed.prevHash !== lastHash));
        const problem = suspicious
          ? describeProblem(file.name, lineNumber, parsed, lastSeq, lastHash, anchored)
          : undefined;
        if (problem !== undefined) report(problem);
        lastSeq = parsed.seq;
        lastHash = parsed.hash;
        lastFile = file.name;
        anchored = true;
      }
      if (unterminated !== undefined) {
        lineNumber++;
        report({
          kind: 'torn-line',
          file: file.name,
          line: lineNumber,
          message:
            `${file.name} ends inside line ${lineNumber} (${unterminated.length} bytes without a newline): ` +
            (isLastFile
              ? 'the writer stopped in the middle of an append, or the file was truncated.'
              : 'the file was truncated.'),
        });
        anchored = false;
      }
    }
  }

  const head = options.expectedHead;
  if (head !== undefined) {
    const file = lastFile || (files.at(-1)?.name ?? '');
    if (lastSeq < head.seq) {
      report({
        kind: 'missing-tail',
        file,
        line: 0,
        seq: lastSeq,
        expected: String(head.seq),
        actual: String(lastSeq),
        message: `The trail ends at seq ${lastSeq} but records up to seq ${head.seq} were written: the end of the trail was cut off.`,
      });
    } else if (lastSeq === head.seq && lastHash !== head.hash) {
      report({
        kind: 'head-mismatch',
        file,
        line: 0,
        seq: lastSeq,
        expected: head.hash,
        actual: lastHash,
        message: `The last record (seq ${lastSeq}) is not the one recorded as the head: the end of the trail was rewritten.`,
      });
    }
  }

  return {
    ok: issues.length === 0 && !issuesTruncated,
    files: files.length,
    records,
    lastSeq,
    lastHash,
    issues,
    issuesTruncated,
  };
}

/** The one issue a record has, most specific first (only called when it has one). */
function describeProblem(
  file: string,
  line: number,
  parsed: ParsedLine,
  lastSeq: number,
  lastHash: string,
  anchored: boolean,
): AuditIssue | undefined {
  const at = { file, line, seq: parsed.seq };
  if (parsed.computedHash !== parsed.hash) {
    return {
      ...at,
      kind: 'hash-mismatch',
      expected: parsed.hash,
      actual: parsed.computedHash,
      message: `${file} line ${line} (seq ${parsed.seq}) was modified: its content no longer hashes to its recorded hash.`,
    };
  }
  if (!anchored) return undefined;
  if (parsed.seq > lastSeq + 1) {
    return {
      ...at,
      kind: 'missing-records',
      expected: String(lastSeq + 1),
      actual: String(parsed.seq),
      message: `${file} line ${line}: expected seq ${lastSeq + 1} but found ${parsed.seq}: ${parsed.seq - lastSeq - 1} record(s) were deleted before it.`,
    };
  }
  if (parsed.seq <= lastSeq) {
    return {
      ...at,
      kind: 'out-of-order',
      expected: String(lastSeq + 1),
      actual: String(parsed.seq),
      message: `${file} line ${line}: expected seq ${lastSeq + 1} but found ${parsed.seq}: records were reordered or duplicated.`,
    };
  }
  if (parsed.prevHash !== lastHash) {
    return {
      ...at,
      kind: 'chain-break',
      expected: lastHash,
      actual: parsed.prevHash,
      message: `${file} line ${line} (seq ${parsed.seq}) does not follow the record before it: its prevHash is not that record's hash.`,
    };
  }
  return undefined;
}
