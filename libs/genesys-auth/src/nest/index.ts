/**
 * `@gcm/genesys-auth/nest`: the NestJS wiring of `@gcm/genesys-auth` (module, injection tokens, module
 * option types). The main entry `@gcm/genesys-auth` holds the framework-free classes and never
 * loads `@nestjs/*`, so a CLI or script pays nothing for Nest (docs/architecture.md).
 */
export {
  GENESYS_AUTH_OPTIONS,
  GENESYS_CONNECTION,
  GenesysAuthModule,
  type GenesysAuthModuleAsyncOptions,
  type GenesysAuthModuleOptions,
} from '../lib/genesys-auth.module';
