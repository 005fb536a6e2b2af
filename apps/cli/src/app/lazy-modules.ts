/**
 * Modules loaded on demand, so `gcm --help`, completion and usage errors answer without
 * loading the Genesys libraries, and each command loads only what it uses. `require`,
 * not `import()`: gcm runs its sources through tsx as CommonJS, where `import()` would
 * need tsx's ESM loader too — about 0.4 s more on every start.
 */
export const lazy = {
  doctor: (): typeof import('./commands/doctor.command') => require('./commands/doctor.command'),
  session: (): typeof import('./commands/session.command') => require('./commands/session.command'),
  message: (): typeof import('./commands/message.command') => require('./commands/message.command'),
  history: (): typeof import('./commands/history.command') => require('./commands/history.command'),
  search: (): typeof import('./commands/search.command') => require('./commands/search.command'),
  archive: (): typeof import('./commands/archive.command') => require('./commands/archive.command'),
  audit: (): typeof import('./commands/audit.command') => require('./commands/audit.command'),
  events: (): typeof import('./commands/events.command') => require('./commands/events.command'),
  queues: (): typeof import('./commands/queues.command') => require('./commands/queues.command'),
  sandbox: (): typeof import('./commands/sandbox.command') => require('./commands/sandbox.command'),
  config: (): typeof import('./commands/config.command') => require('./commands/config.command'),
  completion: (): typeof import('./commands/completion.command') => require('./commands/completion.command'),
  genesysConnect: (): typeof import('./runtime/genesys-connect') => require('./runtime/genesys-connect'),
  errorReport: (): typeof import('./runtime/error-report') => require('./runtime/error-report'),
};
