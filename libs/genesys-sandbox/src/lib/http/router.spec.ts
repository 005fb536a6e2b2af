import { Router } from './router';

describe('Router', () => {
  const handler = () => undefined;
  const router = new Router()
    .get('/api/v2/conversations/messages/:conversationId', 'api', handler)
    .post('/api/v2/conversations/messages/agentless', 'api', handler)
    .get('/api/v2/conversations/messages/:messageId/details', 'api', handler)
    .get('/api/v2/analytics/conversations/details/jobs/:jobId', 'api', handler)
    .get('/api/v2/analytics/conversations/details/jobs/availability', 'api', handler);

  it('extracts parameters and decodes them', () => {
    const { match } = router.match('GET', '/api/v2/conversations/messages/a%20b');
    expect(match?.route.pattern).toBe('/api/v2/conversations/messages/:conversationId');
    expect(match?.params).toEqual({ conversationId: 'a b' });
  });

  it('prefers a literal segment over a parameter, whatever the registration order', () => {
    expect(router.match('GET', '/api/v2/analytics/conversations/details/jobs/availability').match?.route.pattern).toBe(
      '/api/v2/analytics/conversations/details/jobs/availability',
    );
    expect(router.match('GET', '/api/v2/analytics/conversations/details/jobs/123').match?.params).toEqual({ jobId: '123' });
  });

  it('tells a wrong method (path exists) from an unknown path', () => {
    expect(router.match('DELETE', '/api/v2/conversations/messages/agentless')).toEqual({ match: undefined, pathExists: true });
    expect(router.match('GET', '/api/v2/nothing')).toEqual({ match: undefined, pathExists: false });
  });
});
