import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from './cli.error';

export interface DirectoryLock {
  release(): Promise<void>;
}

/**
 * An exclusive lock on a directory for this process: `<dir>/.gcm.lock` created with O_EXCL
 * and holding the pid. An audit trail has one writer at a time; a second gcm writing the
 * same trail would fork its hash chain. A lock left by a process that is gone is taken over.
 */
export async function acquireDirectoryLock(directory: string, purpose: string): Promise<DirectoryLock> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, '.gcm.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new CliError(`${directory} is in use by another gcm process (pid ${holder})`, {
          code: 'LOCKED',
          hint: `Wait for it to finish; ${purpose} writes to one audit trail at a time.`,
        });
      }
      await rm(path, { force: true });
    }
  }
  throw new CliError(`Cannot lock ${directory}`, { code: 'LOCKED' });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
