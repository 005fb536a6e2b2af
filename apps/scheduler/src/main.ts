import 'reflect-metadata';
import { main } from './app/bootstrap';

void main({
  env: process.env,
  argv: process.argv.slice(2),
  exit: (code) => process.exit(code),
  onSignal: (signal, handler) => process.on(signal, handler),
  onUnhandledRejection: (handler) => process.on('unhandledRejection', handler),
});
