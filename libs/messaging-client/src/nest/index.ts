/**
 * `@gcm/messaging-client/nest`: the NestJS wiring of `@gcm/messaging-client` (module, injection tokens, module
 * option types). The main entry `@gcm/messaging-client` holds the framework-free classes and never
 * loads `@nestjs/*`, so a CLI or script pays nothing for Nest (docs/architecture.md).
 */
export {
  MESSAGING_CLIENT_OPTIONS,
  MessagingClientModule,
  type MessagingClientModuleAsyncOptions,
  type MessagingClientModuleOptions,
} from '../lib/messaging-client.module';
