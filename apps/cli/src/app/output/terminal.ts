/** The parts of a stream gcm writes to; process.stdout/stderr in production, buffers in specs. */
export interface TerminalStream {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  once(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Resolves once everything written so far has been handed to the OS. */
export function flushed(stream: TerminalStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
