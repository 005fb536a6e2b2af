/**
 * Where agentless messages come from, per channel (GCM_API_AGENTLESS_FROM):
 * `sms=<an SMS number of the org>,open=<an Open Messaging integration id>`. Genesys
 * requires one of these as `fromAddress` of `POST /api/v2/conversations/messages/agentless`.
 */
export interface AgentlessFrom {
  readonly sms?: string;
  readonly open?: string;
}

export function parseAgentlessFrom(text: string): AgentlessFrom {
  const result: { sms?: string; open?: string } = {};
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const match = /^(sms|open)=(.+)$/.exec(entry);
    if (!match) throw new Error(`must be comma-separated sms=<number> or open=<integration id> entries, got "${entry}"`);
    const channel = match[1] as 'sms' | 'open';
    if (result[channel] !== undefined) throw new Error(`names ${channel} twice`);
    result[channel] = match[2].trim();
  }
  if (result.sms === undefined && result.open === undefined) throw new Error('must name sms=<number> and/or open=<integration id>');
  return result;
}
