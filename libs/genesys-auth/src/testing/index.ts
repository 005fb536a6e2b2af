export { FakeClock } from './fake-clock';
export {
  ScriptedGenesysServer,
  type ScriptedReply,
  type ScriptedRequest,
  type ScriptedServerOptions,
} from './scripted-genesys-server';
