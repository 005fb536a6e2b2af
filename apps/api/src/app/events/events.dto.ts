import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

/** Which live events a `GET /v1/events` stream carries. */
export class EventsQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only events of conversations that passed through this queue; the queue is followed. Default: the configured GCM_API_EVENTS_QUEUE_IDS' })
  @IsOptional()
  @IsUUID('all', { message: 'must be a Genesys queue id (UUID)' })
  queueId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only events of this conversation (it must be on a followed queue)' })
  @IsOptional()
  @IsUUID('all', { message: 'must be a Genesys conversation id (UUID)' })
  conversationId?: string;
}
