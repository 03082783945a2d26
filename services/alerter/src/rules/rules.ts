/** The alert types a `<client>` may carry. */
export const CLIENT_ALERT_TYPES = [
  'memory',
  'cpu',
  'swap',
  'disk',
  'load',
  'offline',
  'ssh-failures',
  'login-after-failures',
] as const;

/** One of {@link CLIENT_ALERT_TYPES}. */
export type ClientAlertType = (typeof CLIENT_ALERT_TYPES)[number];

/** The alert types of the `<fleet>` element: conditions over many hosts at once. */
export const FLEET_ALERT_TYPES = ['brute-force'] as const;

/** Any alert type. */
export type AlertType = ClientAlertType | (typeof FLEET_ALERT_TYPES)[number];

/** Where in the rules file something was written. */
export interface RulesPosition {
  readonly line: number;
  readonly column: number;
}

/** One `<alert>`: fires when the value reaches `limit` for `forMs`, resolves when it falls below `clear`. */
export interface AlertRule {
  /** Stable identity across reloads: the owner, the type and what distinguishes the series, never the limits. */
  readonly key: string;
  readonly type: AlertType;
  /** Fires when the observed value is at or above this. */
  readonly limit: number;
  /** Resolves when the observed value falls below this (hysteresis; at most `limit`). */
  readonly clear: number;
  /** How long the condition must hold before the alert fires. */
  readonly forMs: number;
  /** How often a still-firing alert is mailed again. */
  readonly repeatMs: number;
  /** The window counted by ssh rules and brute force. */
  readonly windowMs: number;
  /** Disk: only this mount point; undefined watches every mount, each its own series. */
  readonly mount: string | undefined;
  /** ssh-failures: one series per host, or one per host and source address. */
  readonly per: 'host' | 'source';
  /** Load: which load average (1, 5 or 15 minutes), divided by the number of cores. */
  readonly average: 1 | 5 | 15;
  /** How the limit was written, for mails (`90%`, `1.5 per core`, `5 failures in 10m`). */
  readonly limitText: string;
  readonly at: RulesPosition;
}

/** A maintenance window: while it lasts, the owner's alerts (all, or those of `types`) are not mailed. */
export interface Silence {
  readonly from: number;
  readonly until: number;
  /** The alert types it mutes; undefined mutes every type. */
  readonly types: readonly AlertType[] | undefined;
  readonly comment: string | undefined;
  readonly at: RulesPosition;
}

/** One `<client>`: the hosts it matches, who is mailed, and its alerts and silences. */
export interface Client {
  /** Stable identity: `host:<id>` and/or `ip:<address>`. */
  readonly key: string;
  readonly name: string | undefined;
  /** Matches a host that reports this address in its stats. */
  readonly ip: string | undefined;
  /** Matches the host with this host id. */
  readonly host: string | undefined;
  readonly mail: readonly string[];
  readonly alerts: readonly AlertRule[];
  readonly silences: readonly Silence[];
  readonly at: RulesPosition;
}

/** The `<fleet>` element: fleet-wide alerts and who receives them. */
export interface Fleet {
  readonly mail: readonly string[];
  readonly alerts: readonly AlertRule[];
  readonly silences: readonly Silence[];
  readonly at: RulesPosition;
}

/** A whole, validated rules file. */
export interface Rules {
  readonly file: string;
  readonly clients: readonly Client[];
  readonly fleet: Fleet | undefined;
}

/** Something questionable but accepted in a rules file. */
export interface RulesWarning extends RulesPosition {
  readonly file: string;
  readonly message: string;
}
