import 'reflect-metadata';
import { main } from './app/main-command';

void main({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  onSignal: (signal, handler) => process.once(signal, handler),
}).then((code) => {
  if (code !== undefined) process.exit(code);
});
