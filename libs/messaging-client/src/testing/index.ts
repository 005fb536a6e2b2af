export {
  FakeGuestServer,
  type FakeGuestServerOptions,
  type FakeGuestSession,
  type FakeUpload,
} from './fake-guest-server';
export { settledSleep } from './settled-sleep';
