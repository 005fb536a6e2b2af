import { resolve } from 'node:path';

/** The repository root (gcm runs from its sources, so the sandbox app sits beside it). */
export const WORKSPACE_ROOT = resolve(__dirname, '../../../../..');

/** How to start a TypeScript entry point of the workspace as its own process (node + tsx, the base tsconfig). */
export function tsxCommand(entry: string, args: readonly string[]): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [require.resolve('tsx/cli'), '--tsconfig', resolve(WORKSPACE_ROOT, 'tsconfig.base.json'), resolve(WORKSPACE_ROOT, entry), ...args],
  };
}
