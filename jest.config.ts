import { getJestProjectsAsync } from '@nx/jest';
import type { Config } from 'jest';

/** Root config: `npm test` runs every project's Jest config in one invocation. */
export default async (): Promise<Config> => ({
  projects: await getJestProjectsAsync(),
});
