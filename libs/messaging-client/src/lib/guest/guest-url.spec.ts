import { guestApiBaseUrl, guestConnectUrl, guestWebSocketUrl } from './guest-url';

describe('guest URLs', () => {
  it('maps a Genesys API host to its webmessaging host', () => {
    expect(guestWebSocketUrl('https://api.mypurecloud.ie')).toBe('wss://webmessaging.mypurecloud.ie/v1');
    expect(guestWebSocketUrl('https://api.usw2.pure.cloud/')).toBe('wss://webmessaging.usw2.pure.cloud/v1');
    expect(guestApiBaseUrl('wss://webmessaging.mypurecloud.ie/v1')).toBe('https://api.mypurecloud.ie');
  });

  it('keeps host and port of any other base URL (the sandbox)', () => {
    expect(guestWebSocketUrl('http://127.0.0.1:4010')).toBe('ws://127.0.0.1:4010/v1');
    expect(guestApiBaseUrl('ws://127.0.0.1:4010/v1')).toBe('http://127.0.0.1:4010');
  });

  it('adds deploymentId and application to the socket URL', () => {
    expect(guestConnectUrl('wss://webmessaging.mypurecloud.com/v1', 'dep 1', 'gcm')).toBe(
      'wss://webmessaging.mypurecloud.com/v1?deploymentId=dep+1&application=gcm',
    );
  });
});
