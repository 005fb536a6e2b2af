export default {
  displayName: 'live-events',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/live-events',
};
