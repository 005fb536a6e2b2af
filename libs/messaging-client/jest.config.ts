export default {
  displayName: 'messaging-client',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/messaging-client',
};
