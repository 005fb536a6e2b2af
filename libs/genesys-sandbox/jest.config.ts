export default {
  displayName: 'genesys-sandbox',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/genesys-sandbox',
};
