/** Where a test may make the process SIGKILL itself, as `HOSTWATCH_TEST_CRASH_AT` names it. */
export type CrashPoint = 'before-commit' | 'after-commit';

/**
 * Test-only hook: when `configured` is `at`, the process kills itself with SIGKILL right here, as
 * a power cut or OOM kill would, so the crash tests can show that a batch inserted but not
 * committed, or committed but not acknowledged, ends up stored exactly once. Never set in production.
 */
export function crashPoint(configured: CrashPoint | undefined, at: CrashPoint): void {
  if (configured === at) process.kill(process.pid, 'SIGKILL');
}
