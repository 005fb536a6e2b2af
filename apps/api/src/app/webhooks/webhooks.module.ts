import { Module } from '@nestjs/common';
import { OpenMessagingSignatureGuard } from './open-messaging-signature.guard';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  controllers: [WebhooksController],
  providers: [WebhooksService, OpenMessagingSignatureGuard],
})
export class WebhooksModule {}
