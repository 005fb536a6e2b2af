import { ConfigurableModuleBuilder, Module } from '@nestjs/common';
import { createGenesysConnection, type GenesysConnection, type GenesysConnectionOptions } from './genesys-client';
import { ClientCredentialsTokenProvider } from './token-provider';
import { GenesysTransport } from './transport';

export const GENESYS_CONNECTION = Symbol('GENESYS_CONNECTION');

const definition = new ConfigurableModuleBuilder<GenesysConnectionOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (module, extras) => ({ ...module, global: extras.isGlobal }))
  .build();
const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = definition;

export const GENESYS_AUTH_OPTIONS = MODULE_OPTIONS_TOKEN;
export type GenesysAuthModuleOptions = typeof definition.OPTIONS_TYPE;
export type GenesysAuthModuleAsyncOptions = typeof definition.ASYNC_OPTIONS_TYPE;

/**
 * Nest wiring for the token provider and the transport. `forRoot` takes typed options;
 * `forRootAsync` lets the app build them from its validated config.
 */
@Module({
  providers: [
    {
      provide: GENESYS_CONNECTION,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: GenesysConnectionOptions): GenesysConnection => createGenesysConnection(options),
    },
    {
      provide: GenesysTransport,
      inject: [GENESYS_CONNECTION],
      useFactory: (connection: GenesysConnection) => connection.transport,
    },
    {
      provide: ClientCredentialsTokenProvider,
      inject: [GENESYS_CONNECTION],
      useFactory: (connection: GenesysConnection) => connection.tokens,
    },
  ],
  exports: [GENESYS_CONNECTION, GenesysTransport, ClientCredentialsTokenProvider],
})
export class GenesysAuthModule extends ConfigurableModuleClass {}
