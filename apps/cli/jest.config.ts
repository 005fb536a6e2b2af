export default {
  displayName: 'cli',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/cli',
  // the e2e specs run the real binary (a child process per command) against the sandbox
  setupFilesAfterEnv: ['<rootDir>/src/test/jest-setup.ts'],
};
