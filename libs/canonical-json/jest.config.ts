export default {
  displayName: 'canonical-json',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/canonical-json',
};
