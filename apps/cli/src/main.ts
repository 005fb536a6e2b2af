import { runCli } from './app/cli';
import { flushed } from './app/output/terminal';

// `gcm search | head -1`: the reader has all it wants; stop quietly instead of crashing on EPIPE
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

/**
 * `gcm`. The exit code is set only after stdout and stderr are flushed (a pipe must get
 * every line), then the process ends even if a socket or timer is still open.
 */
void runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  onSignal: (signal, handler) => {
    process.on(signal, handler);
    return () => process.off(signal, handler);
  },
  forceExit: (code) => process.exit(code),
}).then(async (code) => {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
});
