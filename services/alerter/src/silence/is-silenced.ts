import type { AlertType, Silence } from '../rules/rules.js';

/** Whether one of `silences` mutes alerts of `type` at `now`; a silence lasts from `from` until just before `until`. */
export function isSilenced(silences: readonly Silence[], type: AlertType, now: number): boolean {
  return silences.some((s) => s.from <= now && now < s.until && (s.types === undefined || s.types.includes(type)));
}
