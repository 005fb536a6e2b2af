import { Router } from '../http/router';
import { SandboxServices } from '../sandbox-services';

export function registerAttributeSearchRoutes(router: Router, services: SandboxServices): void {
  router.post('/api/v2/conversations/participants/attributes/search', 'api', async (ctx) => {
    ctx.sendJson(200, services.attributeSearch.search(await ctx.json()));
  });
}
