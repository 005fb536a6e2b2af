/**
 * gcm's exit codes. Scripts branch on them, so they are part of the interface: 0 ok,
 * 1 failure, 2 usage (a flag, a value or a message refused before anything was sent),
 * 3 authentication or permission, 4 rate limit or request budget exhausted, 5 storage
 * (the database unreachable at start or for the whole GCM_STORE_RETRY budget, or the archive disk
 * full, read-only or not writable: fix that, then the same command continues), and 130
 * for Ctrl-C (128 + SIGINT, what shells and git report).
 */
export enum ExitCode {
  Ok = 0,
  Failure = 1,
  Usage = 2,
  Auth = 3,
  RateLimit = 4,
  Storage = 5,
  Interrupted = 130,
}
