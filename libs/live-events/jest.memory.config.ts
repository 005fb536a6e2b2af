/**
 * The live feed's memory spec, a project of its own: it needs the garbage collector
 * exposed, so it runs in one process started with `--expose-gc`
 * (`npm run test:memory`; `.ci/run` runs it as a step), never in the parallel `npm test`.
 */
export default {
  displayName: 'live-events-memory',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.gc.spec.ts'],
};
