export default {
  displayName: 'history-timeline',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/history-timeline',
};
