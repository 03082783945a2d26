import type { ColumnType } from 'kysely';

/** Enrollment state of a host or one of its keys. */
export type HostStatus = 'pending' | 'approved' | 'revoked';

/** A timestamp column: written as a Date or ISO string, read as a Date. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** One monitored host. */
export interface HostsTable {
  host_id: string;
  status: ColumnType<HostStatus, HostStatus | undefined, HostStatus>;
  hostname: string | null;
  addresses: ColumnType<string[], string[] | undefined, string[]>;
  first_seen: ColumnType<Date, Date | string | undefined, Date | string>;
  last_seen: ColumnType<Date, Date | string | undefined, Date | string>;
  approved_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** One X25519 public key of a host; a host may hold several while keys rotate. */
export interface HostKeysTable {
  host_id: string;
  key_id: string;
  public_key: Buffer;
  status: ColumnType<HostStatus, HostStatus | undefined, HostStatus>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  revoked_at: Timestamp | null;
}

/** The enrollment tables: hosts and their keys. */
export interface HostTables {
  hosts: HostsTable;
  host_keys: HostKeysTable;
}
