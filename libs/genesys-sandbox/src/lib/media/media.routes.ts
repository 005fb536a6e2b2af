import { generatedAttachmentBytes } from '../data/attachment-content';
import { ApiErrors } from '../errors/api-error';
import { Router } from '../http/router';
import { SandboxServices } from '../sandbox-services';

/**
 * Stand-ins for the presigned storage URLs Genesys hands out: uploads are PUT to
 * /uploads/{id}, attachments are downloaded from /media/{conversationId}/{id}/{filename}.
 * Like presigned URLs they need no bearer token.
 */
export function registerMediaRoutes(router: Router, services: SandboxServices): void {
  const { world } = services;

  router.put('/uploads/:uploadId', 'media', async (ctx) => {
    const upload = world.upload(ctx.params.uploadId);
    if (!upload) throw ApiErrors.notFound('uploadId', ctx.params.uploadId);
    const bytes = await ctx.rawBody(world.config.uploadMaxBytes);
    // a guest may leave fileSize out of onAttachment; then any length up to the limit is taken
    if (upload.contentLengthBytes >= 0 && bytes.length !== upload.contentLengthBytes) {
      throw ApiErrors.badRequest(
        'The upload has {actual} bytes but {declared} were announced in contentLengthBytes.',
        { actual: String(bytes.length), declared: String(upload.contentLengthBytes) },
        'body',
      );
    }
    const done = world.completeUpload(upload.id, bytes);
    ctx.sendEmpty(200, { ETag: `"${done.sha256!.slice(0, 32)}"` });
  });

  router.get('/media/:conversationId/:attachmentId/:filename', 'media', (ctx) => {
    const conversation = world.conversation(ctx.params.conversationId);
    const attachment = conversation?.messages.flatMap((m) => m.attachments).find((a) => a.id === ctx.params.attachmentId);
    if (!attachment || attachment.source === 'external') throw ApiErrors.notFound('attachmentId', ctx.params.attachmentId);
    const bytes =
      attachment.source === 'uploaded'
        ? world.upload(attachment.id)!.bytes!
        : generatedAttachmentBytes(world.config.seed, attachment.id, attachment.mime, attachment.contentSizeBytes);
    ctx.send(200, bytes, { 'Content-Type': attachment.mime });
  });
}
