import { constants } from 'node:os';
import type { ShutdownSignal } from './signal-source.js';

/** Exit code of a clean stop, on a signal or on request. */
export const EXIT_OK = 0;

/** Exit code when a component failed to start, failed to stop, or did not stop in time. */
export const EXIT_FAILURE = 1;

/** Exit code of a forced exit on a second signal: 128 + the signal's number, as shells report a signal death (SIGINT 130, SIGTERM 143). */
export function exitCodeForSignal(signal: ShutdownSignal): number {
  return 128 + constants.signals[signal];
}
