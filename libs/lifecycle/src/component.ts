/** Stops what a component started; returned by `start` as an alternative to a `stop` method. */
export type StopFunction = () => Promise<void>;

/**
 * One piece of a service that the lifecycle starts in order and stops in reverse: a database
 * pool, a NATS connection, a consumer, an HTTP server.
 */
export interface Component {
  /** Name in the logs, such as `nats` or `http`. */
  readonly name: string;
  /**
   * Starts the component; the signal aborts when shutdown is requested meanwhile. May return
   * the function that stops it, which then takes the place of {@link Component.stop}. A start
   * that throws must leave nothing running: only components that started are stopped.
   */
  start(signal: AbortSignal): Promise<void | StopFunction>;
  /** Stops the component; called once, in reverse start order, within the stop timeout. */
  stop?(): Promise<void>;
  /** How long this component's stop may take, overriding the lifecycle's default. */
  readonly stopTimeoutMs?: number;
}
