import { RoutingQueueDirectory } from '@gcm/messaging-client';
import { showLine } from '@gcm/text-policy';
import { table } from '../output/table';
import type { CommandContext } from '../runtime/command-context';
import { ExitCode } from '../runtime/exit-code';

/**
 * `gcm queues`: the organisation's routing queues (`GET /api/v2/routing/queues`, permission
 * `routing:queue:view`), by name, with the id that `events tail --queue`, `search --queue`
 * and the API's `queueId` take.
 */
export async function runQueues(context: CommandContext): Promise<ExitCode> {
  const { connection, signal } = await context.connect();
  const queues = await new RoutingQueueDirectory({ transport: connection.transport }).list({ signal });
  const rows = queues.map((queue) => ({
    id: queue.id,
    name: queue.name,
    ...(queue.division ? { divisionId: queue.division.id, ...(queue.division.name ? { divisionName: queue.division.name } : {}) } : {}),
    ...(queue.memberCount !== undefined ? { memberCount: queue.memberCount } : {}),
  }));
  context.output.result(rows, () =>
    rows.length === 0
      ? 'No routing queues (or none this OAuth client may see).'
      : table(
          ['NAME', 'ID', 'DIVISION', 'MEMBERS'],
          // names are the org's own text: shown through the text policy, one line each
          rows.map((row) => [showLine(row.name), row.id, row.divisionName ? showLine(row.divisionName) : '-', row.memberCount !== undefined ? String(row.memberCount) : '-']),
        ),
  );
  return ExitCode.Ok;
}
