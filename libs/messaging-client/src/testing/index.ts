export {
  FakeGuestServer,
  type FakeGuestServerOptions,
  type FakeArrival,
  type FakeGuestSession,
  type FakeUpload,
} from './fake-guest-server';
export { settledSleep } from './settled-sleep';
