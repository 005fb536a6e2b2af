export default {
  displayName: 'genesys-auth',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/genesys-auth',
};
