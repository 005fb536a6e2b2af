import { ApiErrors } from '../errors/api-error';
import { optionalBoolean, optionalInteger, optionalObject, optionalString, requireObject, requireString } from '../http/body-validation';
import { RequestContext } from '../http/request-context';
import { Router } from '../http/router';
import { ParticipantPatch } from '../data/sandbox-world';
import { SandboxServices } from '../sandbox-services';

const PARTICIPANT_STATES = [
  'alerting',
  'dialing',
  'contacting',
  'offering',
  'connected',
  'disconnected',
  'terminated',
  'converting',
  'uploading',
  'transmitting',
  'none',
] as const;

/**
 * PATCH of a message participant (MediaParticipantRequest). There is no If-Match: the last
 * writer wins, as on the real API. The generic /api/v2/conversations/{id}/participants/{id}
 * behaves the same for message conversations.
 */
export function registerParticipantRoutes(router: Router, services: SandboxServices): void {
  const patch = async (ctx: RequestContext) => {
    const body = requireObject(await ctx.json());
    const request: ParticipantPatch = {};
    const state = optionalString(body, 'state');
    if (state !== undefined) {
      if (!(PARTICIPANT_STATES as readonly string[]).includes(state)) throw ApiErrors.invalidValue('state', state, PARTICIPANT_STATES);
      if (state !== 'disconnected') {
        throw ApiErrors.badRequest('A message participant can only be moved to state disconnected, not {state}.', { state }, 'state');
      }
      request.state = 'disconnected';
    }
    const wrapup = optionalObject(body, 'wrapup');
    if (wrapup) {
      request.wrapup = {
        code: requireString(wrapup, 'code'),
        name: optionalString(wrapup, 'name'),
        notes: optionalString(wrapup, 'notes'),
        durationSeconds: optionalInteger(wrapup, 'durationSeconds'),
      };
    }
    request.wrapupSkipped = optionalBoolean(body, 'wrapupSkipped');
    request.held = optionalBoolean(body, 'held');
    services.world.patchParticipant(ctx.params.conversationId, ctx.params.participantId, request);
    ctx.sendEmpty(202);
  };
  router.patch('/api/v2/conversations/messages/:conversationId/participants/:participantId', 'api', patch);
  router.patch('/api/v2/conversations/:conversationId/participants/:participantId', 'api', patch);
}
