import { SandboxWorkload, type RunningSandbox } from '@gcm/genesys-sandbox';
import { seeded } from './seeded';

/** A seeded workload on the sandbox, with a few generated conversations still going (an agent connected) joining in. */
export function startWorkload(sandbox: RunningSandbox, seed: number): SandboxWorkload {
  const ongoing = sandbox.truth
    .conversationIds()
    .filter((id) => sandbox.truth.conversation(id)?.participants.some((p) => p.purpose === 'agent' && p.userId && p.state === 'connected'))
    .slice(0, 5);
  return new SandboxWorkload(sandbox, seeded(seed), ongoing);
}

/** The CRM record keys (the event ids) of every message and receipt the workload made: what must reach the CRM. */
export function expectedRecordKeys(workload: SandboxWorkload): string[] {
  const { messages, receipts } = workload.log;
  return [
    ...[...messages].map(([messageId, message]) => `${message.conversationId}:message:${messageId}`),
    ...[...receipts.keys()].map((key) => {
      const [messageId, status] = key.split(':');
      return `${messages.get(messageId)?.conversationId}:receipt:${messageId}:${status}`;
    }),
  ];
}
