export default {
  displayName: 'live-events',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/live-events',
  // *.gc.spec.ts need the GC exposed: their own project (jest.memory.config.ts, npm run test:memory)
  testPathIgnorePatterns: ['/node_modules/', '\\.gc\\.spec\\.ts$'],
};
