export { FakeClock, sequenceRandom } from './fake-clock';
export {
  DEFAULT_TEST_POSTGRES_URL,
  planTestDatabases,
  probePostgresSync,
  TestDatabase,
  type TestDatabasePlan,
} from './test-databases';
export { TcpCutProxy } from './tcp-cut-proxy';
