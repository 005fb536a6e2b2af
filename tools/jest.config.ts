export default {
  displayName: 'tools',
  preset: '../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/checks/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts'],
};
