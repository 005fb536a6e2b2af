import { StoreError, StoreErrorCode } from '@gcm/store';
import { toApiError } from './library-error.mapper';

describe('toApiError: storage faults', () => {
  it.each([StoreErrorCode.ConnectionFailed, StoreErrorCode.Unavailable, StoreErrorCode.StorageFault, StoreErrorCode.Closed])(
    'answers %s as 503 database-unavailable with Retry-After, without the cause (host, path) in the answer',
    (code) => {
      const error = toApiError(new StoreError(code, 'the archive directory /var/lib/gcm/archive is full (ENOSPC) at 10.0.0.5:5432'));
      expect(error.status).toBe(503);
      expect(error.slug).toBe('database-unavailable');
      expect(error.headers).toEqual({ 'Retry-After': '5' });
      expect(JSON.stringify({ title: error.title, detail: error.message })).not.toMatch(/ENOSPC|\/var\/lib|10\.0\.0\.5/);
    },
  );
});
