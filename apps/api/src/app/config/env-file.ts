import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

export const ENV_FILE_VARIABLE = 'GCM_API_ENV_FILE';

/**
 * The environment with a `.env` file's variables added underneath: a variable set in the
 * real environment always wins. A missing default `.env` is fine; a file named explicitly
 * by GCM_API_ENV_FILE must exist.
 */
export function withEnvFile(
  env: Readonly<Record<string, string | undefined>>,
  path = env[ENV_FILE_VARIABLE] ?? '.env',
): { env: Record<string, string | undefined>; loadedFrom?: string } {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && env[ENV_FILE_VARIABLE] === undefined) return { env: { ...env } };
    throw new Error(`Cannot read the environment file ${file} (${ENV_FILE_VARIABLE}): ${(error as Error).message}`);
  }
  const fromFile = parseEnv(text) as Record<string, string>;
  const real = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { env: { ...fromFile, ...real }, loadedFrom: file };
}
