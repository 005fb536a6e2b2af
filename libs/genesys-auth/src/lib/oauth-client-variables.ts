import type { OAuthClientCredentials } from './genesys-client';

/** The first client's variables (the Genesys CX-as-Code names every gcm program reads). */
export const OAUTH_CLIENT_ID_VARIABLE = 'GENESYSCLOUD_OAUTHCLIENT_ID';
export const OAUTH_CLIENT_SECRET_VARIABLE = 'GENESYSCLOUD_OAUTHCLIENT_SECRET';
/** A pool holds at most this many clients: the first, then `_2` … `_64`. */
export const MAX_POOL_CLIENTS = 64;

export interface OAuthClientVariableProblem {
  variable: string;
  problem: string;
}

export interface OAuthClientVariables {
  /** The numbered clients (`_2` … `_64`) in number order, each naming its variables in `source`. */
  additionalClients: OAuthClientCredentials[];
  /** Every numbered variable that is set, for an app's list of secret-bearing or known variables. */
  variables: string[];
  problems: OAuthClientVariableProblem[];
}

const NUMBERED = /^GENESYSCLOUD_OAUTHCLIENT_(ID|SECRET)_(.*)$/;

/**
 * Reads the numbered clients of a client pool from variables an app has already collected
 * (its environment, a `.env`): `GENESYSCLOUD_OAUTHCLIENT_ID_2` with
 * `GENESYSCLOUD_OAUTHCLIENT_SECRET_2`, `_3`, … up to `_64`, beside the first client's
 * `GENESYSCLOUD_OAUTHCLIENT_ID` / `_SECRET`. Numbers may have gaps. Problems name the
 * variable and never repeat a value: an id without its secret (or the reverse), a number
 * out of range, an id given twice (Genesys counts the rate per client: a second entry of
 * one client adds no budget). Blank values count as unset.
 */
export function readOAuthClientVariables(source: Readonly<Record<string, string | undefined>>): OAuthClientVariables {
  const problems: OAuthClientVariableProblem[] = [];
  const numbers = new Map<number, { id?: string; secret?: string }>();
  const variables: string[] = [];
  for (const [variable, raw] of Object.entries(source)) {
    const match = NUMBERED.exec(variable);
    const value = raw?.trim();
    if (!match || !value) continue;
    variables.push(variable);
    const [, kind, suffix] = match;
    const n = /^[1-9]\d*$/.test(suffix) ? Number(suffix) : NaN;
    if (n === 1) {
      problems.push({ variable, problem: `is not read: the first client is ${kind === 'ID' ? OAUTH_CLIENT_ID_VARIABLE : OAUTH_CLIENT_SECRET_VARIABLE}; more clients are numbered from _2` });
      continue;
    }
    if (!(n >= 2 && n <= MAX_POOL_CLIENTS)) {
      problems.push({ variable, problem: `is not a client of the pool: more clients are numbered _2 to _${MAX_POOL_CLIENTS} (e.g. GENESYSCLOUD_OAUTHCLIENT_ID_2 with GENESYSCLOUD_OAUTHCLIENT_SECRET_2)` });
      continue;
    }
    const entry = numbers.get(n) ?? {};
    if (kind === 'ID') entry.id = value;
    else entry.secret = value;
    numbers.set(n, entry);
  }
  const additionalClients: OAuthClientCredentials[] = [];
  const firstId = source[OAUTH_CLIENT_ID_VARIABLE]?.trim();
  const seen = new Map<string, string>(firstId ? [[firstId, OAUTH_CLIENT_ID_VARIABLE]] : []);
  for (const [n, { id, secret }] of [...numbers.entries()].sort(([a], [b]) => a - b)) {
    const idVariable = `${OAUTH_CLIENT_ID_VARIABLE}_${n}`;
    const secretVariable = `${OAUTH_CLIENT_SECRET_VARIABLE}_${n}`;
    if (!id) {
      problems.push({ variable: idVariable, problem: `is required when ${secretVariable} is set: the id of client ${n} of the pool` });
      continue;
    }
    if (!secret) {
      problems.push({ variable: secretVariable, problem: `is required when ${idVariable} is set: the secret of client ${n} of the pool` });
      continue;
    }
    const earlier = seen.get(id);
    if (earlier) {
      problems.push({ variable: idVariable, problem: `names the same OAuth client as ${earlier}: Genesys counts the rate per client, so each client of the pool must be a different one` });
      continue;
    }
    seen.set(id, idVariable);
    additionalClients.push({ clientId: id, clientSecret: secret, source: `${idVariable} / ${secretVariable}` });
  }
  if (additionalClients.length > 0 && !firstId) {
    problems.push({ variable: OAUTH_CLIENT_ID_VARIABLE, problem: `is required when numbered clients (${OAUTH_CLIENT_ID_VARIABLE}_2 …) are set: it is the pool's first client` });
  }
  return { additionalClients, variables: variables.sort(), problems };
}
