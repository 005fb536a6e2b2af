import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ApiRequest } from '../http/api-request';
import type { ApiKeyDefinition } from './api-key';

/** The key the guard authenticated (present on every route that requires a scope). */
export const CurrentKey = createParamDecorator((_data: unknown, execution: ExecutionContext): ApiKeyDefinition => {
  const key = execution.switchToHttp().getRequest<ApiRequest>().gcm?.apiKey;
  if (!key) throw new Error('CurrentKey used on a route without an authenticated key');
  return key;
});
