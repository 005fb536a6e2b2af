import { UsageError } from '../runtime/cli.error';
import type { CommandContext } from '../runtime/command-context';
import type { ExitCode } from '../runtime/exit-code';

export interface EventsTailOptions {
  readonly queue?: string[];
  readonly user?: string[];
  readonly max?: string;
}

export async function runEventsTail(_context: CommandContext, _options: EventsTailOptions): Promise<ExitCode> {
  throw new UsageError('gcm events tail is not available yet');
}
