import { Module } from '@nestjs/common';
import { GenesysTransport } from '@gcm/genesys-auth';
import { RoutingQueueDirectory } from '@gcm/messaging-client';
import { API_RUNTIME, type ApiRuntime } from '../api-runtime';
import { ReviewController } from './review.controller';
import { ReviewPageFilter } from './review-page.filter';
import { ReviewService } from './review.service';

@Module({
  controllers: [ReviewController],
  providers: [
    ReviewService,
    ReviewPageFilter,
    {
      // queue names for the pages, from the routing API, kept 5 minutes (GET /api/v2/routing/queues)
      provide: RoutingQueueDirectory,
      inject: [GenesysTransport, API_RUNTIME],
      useFactory: (transport: GenesysTransport, runtime: ApiRuntime) => new RoutingQueueDirectory({ transport, ...(runtime.clock ? { clock: runtime.clock } : {}) }),
    },
  ],
})
export class ReviewModule {}
