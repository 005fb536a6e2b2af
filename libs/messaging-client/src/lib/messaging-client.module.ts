import { ConfigurableModuleBuilder, Module } from '@nestjs/common';
import { GuestSessionFactory } from './guest/guest-session.factory';
import type { GuestSessionOptions } from './guest/guest-session';
import type { DeliveryMetricsListener } from './metrics/delivery-metrics';
import { MessagingClient, type MessagingClientOptions, type MessagingTransport } from './rest/messaging-client.service';
import type { UploadHttp } from './upload/upload-http';
import type { ContentPolicyOptions } from './validation/content-policy';
import { MessageValidator } from './validation/message-validator.service';

export interface MessagingClientModuleOptions {
  /** The one Genesys transport (inject `GenesysTransport` from GenesysAuthModule). */
  transport: MessagingTransport;
  metrics?: DeliveryMetricsListener;
  contentPolicy?: ContentPolicyOptions;
  bulk?: MessagingClientOptions['bulk'];
  uploadHttp?: UploadHttp;
  /** Defaults for guest sessions opened through GuestSessionFactory (e.g. apiBaseUrl, origin). */
  guest?: Partial<GuestSessionOptions>;
}

const definition = new ConfigurableModuleBuilder<MessagingClientModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (module, extras) => ({ ...module, global: extras.isGlobal }))
  .build();
const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = definition;

export const MESSAGING_CLIENT_OPTIONS = MODULE_OPTIONS_TOKEN;
export type MessagingClientModuleAsyncOptions = typeof definition.ASYNC_OPTIONS_TYPE;

/**
 * Nest wiring: `forRootAsync({ inject: [GenesysTransport], useFactory: (transport) => ({ transport }) })`
 * provides MessagingClient, MessageValidator and GuestSessionFactory.
 */
@Module({
  providers: [
    {
      provide: MessageValidator,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: MessagingClientModuleOptions) => new MessageValidator({ contentPolicy: options.contentPolicy }),
    },
    {
      provide: MessagingClient,
      inject: [MODULE_OPTIONS_TOKEN, MessageValidator],
      useFactory: (options: MessagingClientModuleOptions, validator: MessageValidator) =>
        new MessagingClient({
          transport: options.transport,
          metrics: options.metrics,
          validator,
          uploadHttp: options.uploadHttp,
          bulk: options.bulk,
        }),
    },
    {
      provide: GuestSessionFactory,
      inject: [MODULE_OPTIONS_TOKEN, MessageValidator],
      useFactory: (options: MessagingClientModuleOptions, validator: MessageValidator) =>
        new GuestSessionFactory({ uploadHttp: options.uploadHttp, ...options.guest }, { metrics: options.metrics, validator }),
    },
  ],
  exports: [MessagingClient, MessageValidator, GuestSessionFactory],
})
export class MessagingClientModule extends ConfigurableModuleClass {}
