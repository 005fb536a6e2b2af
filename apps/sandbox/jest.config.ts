export default {
  displayName: 'sandbox',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/sandbox',
};
