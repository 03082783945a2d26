export type { Component, StopFunction } from './component.js';
export { EXIT_FAILURE, EXIT_OK, exitCodeForSignal } from './exit-code.js';
export { Lifecycle, type LifecycleOptions } from './lifecycle.js';
export type { LifecycleLogger } from './lifecycle-logger.js';
export { SHUTDOWN_SIGNALS, type ShutdownSignal, type SignalSource } from './signal-source.js';
