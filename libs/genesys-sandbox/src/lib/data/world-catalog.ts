import { SeededRandom, seededUuid } from '../random/seeded-random';

/** The organisation's fixed cast: who and what conversations are routed through. */
export interface NamedEntity {
  id: string;
  name: string;
}

export interface QueueEntity extends NamedEntity {
  divisionId: string;
}

export interface AgentEntity extends NamedEntity {
  divisionId: string;
}

export interface WorldCatalog {
  organization: NamedEntity;
  oauthClientName: string;
  divisions: NamedEntity[];
  queues: QueueEntity[];
  agents: AgentEntity[];
  wrapupCodes: NamedEntity[];
  /** Open Messaging integrations: inbound open messages must name one of these. */
  openIntegrations: NamedEntity[];
  /** Web messaging deployments (the guest WebSocket of part 2 resolves these). */
  webDeployments: NamedEntity[];
  /** The organisation's SMS number (E.164). */
  smsNumber: string;
}

const DIVISION_NAMES = ['Home', 'Retail Support', 'Billing'];
const QUEUE_NAMES = [
  'General Support',
  'Orders',
  'Returns',
  'Billing Questions',
  'Technical Help',
  'VIP Care',
];
const FIRST_NAMES = [
  'Ada', 'Bruno', 'Chloé', 'Dmitri', 'Elif', 'Farah', 'Goran', 'Hana', 'Ines', 'Jonas',
  'Kenji', 'Lena', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomás',
  'Uma', 'Valentin', 'Wen', 'Yara', 'Zoë',
];
const LAST_NAMES = [
  'Adams', 'Bianchi', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Horvat', 'Ivanova',
  'Jensen', 'Kowalski', 'Larsen', 'Müller', 'Novak', "O'Brien", 'Petrov', 'Rossi', 'Silva',
  'Tanaka', 'Weber',
];
const WRAPUP_NAMES = ['Resolved', 'Follow-up required', 'Escalated', 'No response', 'Order placed'];

export const PERSON_FIRST_NAMES: readonly string[] = FIRST_NAMES;
export const PERSON_LAST_NAMES: readonly string[] = LAST_NAMES;

export function buildWorldCatalog(seed: number): WorldCatalog {
  const rng = SeededRandom.derive(seed, 'catalog');
  const divisions = DIVISION_NAMES.map((name, i) => ({ id: seededUuid(seed, 'division', i), name }));
  const queues = QUEUE_NAMES.map((name, i) => ({
    id: seededUuid(seed, 'queue', i),
    name,
    divisionId: divisions[i % divisions.length].id,
  }));
  const agents: AgentEntity[] = [];
  for (let i = 0; i < 24; i++) {
    agents.push({
      id: seededUuid(seed, 'agent', i),
      name: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`,
      divisionId: divisions[i % divisions.length].id,
    });
  }
  return {
    organization: { id: seededUuid(seed, 'organization'), name: 'Sandbox Org' },
    oauthClientName: 'gcm sandbox client',
    divisions,
    queues,
    agents,
    wrapupCodes: WRAPUP_NAMES.map((name, i) => ({ id: seededUuid(seed, 'wrapup', i), name })),
    openIntegrations: [
      { id: seededUuid(seed, 'open-integration', 0), name: 'Partner Chat Bridge' },
      { id: seededUuid(seed, 'open-integration', 1), name: 'Marketplace Inbox' },
    ],
    webDeployments: [{ id: seededUuid(seed, 'web-deployment', 0), name: 'Website Messenger' }],
    smsNumber: '+13175550100',
  };
}
