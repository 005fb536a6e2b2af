export {
  conversationFixture,
  type ConversationFixture,
  type ConversationFixtureInput,
  type FixtureMessage,
  type FixtureParticipant,
} from './conversation-fixture';
export { InMemoryHistorySource } from './in-memory-history-source';
