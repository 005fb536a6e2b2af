export default {
  displayName: 'search-stream',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/search-stream',
};
