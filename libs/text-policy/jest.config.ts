export default {
  displayName: 'text-policy',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/text-policy',
};
