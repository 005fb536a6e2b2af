import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * The environment with a `.env` file's variables added underneath: a variable set in the
 * real environment always wins. A missing file is fine; an unreadable one is an error.
 */
export function withEnvFile(
  env: Readonly<Record<string, string | undefined>>,
  path = env['GCM_SCHEDULER_ENV_FILE'] ?? '.env',
): { env: Record<string, string | undefined>; loadedFrom?: string } {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && env['GCM_SCHEDULER_ENV_FILE'] === undefined) return { env: { ...env } };
    throw new Error(`Cannot read the environment file ${file}: ${(error as Error).message}`);
  }
  return { env: { ...parseEnv(text), ...stripUndefined(env) }, loadedFrom: file };
}

function stripUndefined(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
