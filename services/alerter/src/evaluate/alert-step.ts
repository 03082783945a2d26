/** The remembered state of one alert series that is pending or firing; inactive series have none. */
export interface AlertSeriesState {
  readonly state: 'pending' | 'firing';
  /** When the condition began to hold (the first observation at or above the limit). */
  readonly since: number;
  readonly firedAt: number | undefined;
  readonly lastValue: number;
  readonly lastTime: number;
  /** When the last firing notification was queued; undefined while none was (for example, silenced). */
  readonly notifiedAt: number | undefined;
  /** How many firing notifications were queued. */
  readonly notifications: number;
}

/** One observed value of a series at a time (event time for samples and ssh events, the clock for ticks). */
export interface Observation {
  readonly value: number;
  readonly time: number;
}

/** The thresholds and timings that drive a series. */
export interface AlertTiming {
  readonly limit: number;
  readonly clear: number;
  readonly forMs: number;
  readonly repeatMs: number;
}

/** A notification a step asks for. */
export type AlertTransition = 'firing' | 'repeat' | 'resolved';

/** The outcome of {@link stepAlert}: the next state (undefined is inactive) and the notification to queue, if any. */
export interface AlertStep {
  readonly next: AlertSeriesState | undefined;
  readonly notify: AlertTransition | undefined;
}

/**
 * Advances one series by one observation. Pending when the value reaches `limit`; firing once it
 * stayed at or above the limit for `forMs`; while firing, mailed again every `repeatMs`; resolved
 * only when the value falls below `clear` (hysteresis). While `silenced`, nothing is mailed and a
 * firing alert is mailed when the silence ends; a resolution is mailed only when the firing was.
 * Observations older than the last one are ignored.
 */
export function stepAlert(prev: AlertSeriesState | undefined, obs: Observation, timing: AlertTiming, silenced: boolean): AlertStep {
  if (prev && obs.time < prev.lastTime) return { next: prev, notify: undefined };
  const atLimit = obs.value >= timing.limit;
  if (!prev || prev.state === 'pending') {
    if (!atLimit) return { next: undefined, notify: undefined };
    const since = prev?.since ?? obs.time;
    if (obs.time - since < timing.forMs) {
      return { next: { state: 'pending', since, firedAt: undefined, lastValue: obs.value, lastTime: obs.time, notifiedAt: undefined, notifications: 0 }, notify: undefined };
    }
    const firing: AlertSeriesState = { state: 'firing', since, firedAt: obs.time, lastValue: obs.value, lastTime: obs.time, notifiedAt: undefined, notifications: 0 };
    if (silenced) return { next: firing, notify: undefined };
    return { next: { ...firing, notifiedAt: obs.time, notifications: 1 }, notify: 'firing' };
  }
  if (obs.value < timing.clear) {
    return { next: undefined, notify: prev.notifications > 0 && !silenced ? 'resolved' : undefined };
  }
  const base: AlertSeriesState = { ...prev, lastValue: obs.value, lastTime: obs.time };
  if (silenced) return { next: base, notify: undefined };
  if (prev.notifiedAt === undefined) {
    return { next: { ...base, notifiedAt: obs.time, notifications: prev.notifications + 1 }, notify: 'firing' };
  }
  if (obs.time - prev.notifiedAt >= timing.repeatMs) {
    return { next: { ...base, notifiedAt: obs.time, notifications: prev.notifications + 1 }, notify: 'repeat' };
  }
  return { next: base, notify: undefined };
}
