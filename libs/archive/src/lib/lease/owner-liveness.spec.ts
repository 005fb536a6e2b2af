import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { localProcessGone, processOwnerId } from './owner-liveness';

describe('owner liveness', () => {
  it('names the process in the owner id', () => {
    expect(processOwnerId('gcm-cli')).toBe(`gcm-cli@${hostname()}:${process.pid}`);
  });

  it('judges a local owner gone once its process has exited, and never a remote or pid-less one', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const owner = `gcm-cli@${hostname()}:${child.pid}`;
      expect(localProcessGone(owner)).toBe(false);
      child.kill('SIGKILL');
      await once(child, 'exit');
      expect(localProcessGone(owner)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    expect(localProcessGone(processOwnerId('me'))).toBe(false);
    expect(localProcessGone(`gcm-cli@another-host-${hostname()}:1`)).toBe(false);
    expect(localProcessGone('replica-a')).toBe(false);
  });
});
