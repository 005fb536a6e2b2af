export {
  FakeAnalyticsApi,
  type FakeAnalyticsApiOptions,
  type FakeConversation,
  type FakeRequest,
} from './fake-analytics-api';
export { fakeConversations, type FakeConversationSpec } from './fake-conversations';
