import { ProblemResponse } from '../problem/problem-response.decorator';
import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator';
import { OpenRoute } from '../auth/auth.decorators';
import type { ApiRequest } from '../http/api-request';
import { OpenMessagingSignatureGuard } from './open-messaging-signature.guard';
import { OpenMessagingWebhookDto, WebhookReceiptDto } from './webhooks.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('open-messaging')
  @HttpCode(200)
  @OpenRoute('signed')
  @UseGuards(OpenMessagingSignatureGuard)
  @Audited('open-messaging.webhook')
  @ApiOperation({
    summary: "Genesys' Open Messaging outbound webhook",
    description: "Set this URL as the integration's outboundNotificationWebhookUrl. No API key: the X-Hub-Signature-256 signature authenticates it. Outbound messages are recorded in the audit trail once each.",
  })
  @ApiHeader({ name: 'X-Hub-Signature-256', required: true, description: 'sha256=<base64 HMAC-SHA256 of the raw body>' })
  @ApiBody({ type: OpenMessagingWebhookDto })
  @ApiOkResponse({ type: WebhookReceiptDto })
  @ProblemResponse(400, 'Not an Open Messaging message; `errors` names the fields', ['validation', 'malformed-body'])
  @ProblemResponse(401, 'Missing or wrong signature', ['webhook-signature'])
  @ProblemResponse(404, 'Webhooks are not enabled on this API', ['webhook-not-configured'])
  @ProblemResponse(429, "The client address's rate limit (GCM_API_ANONYMOUS_RATE_LIMIT) is exhausted; see Retry-After", ['rate-limited'])
  receive(@Req() request: ApiRequest): WebhookReceiptDto {
    return this.webhooks.receive(request.body, request.gcm);
  }
}
