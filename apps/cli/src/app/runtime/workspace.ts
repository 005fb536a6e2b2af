import { resolve } from 'node:path';

/** The repository root (gcm runs from its sources, so the sandbox app sits beside it). */
export const WORKSPACE_ROOT = resolve(__dirname, '../../../../..');

/**
 * How to start a TypeScript entry point of the workspace as its own process: node with
 * tsx's CommonJS hook and the base tsconfig (one process; the tsx CLI would add a second).
 */
export function tsxCommand(entry: string, args: readonly string[]): { command: string; args: string[]; env: Record<string, string> } {
  return {
    command: process.execPath,
    args: ['--require', require.resolve('tsx/cjs'), resolve(WORKSPACE_ROOT, entry), ...args],
    env: { TSX_TSCONFIG_PATH: resolve(WORKSPACE_ROOT, 'tsconfig.base.json') },
  };
}
