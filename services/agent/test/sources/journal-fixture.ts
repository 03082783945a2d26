import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The stand-in journalctl (see the comment at its top for why it exists). */
export const FAKE_JOURNALCTL = fileURLToPath(new URL('./fixtures/fake-journalctl.mjs', import.meta.url));

const SEQNUM_ID = '8f1c2b7d4e5a4c3b9a1d0e2f3c4b5a69';
const BOOT_ID = '5d0c3b7f1e2a4d6c8b9a0f1e2d3c4b5a';
const MACHINE_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const START_US = 1_763_884_800_000_000n;

/** A journal entry as `journalctl -o json` prints it: string fields, a cursor that encodes seqnum, boot and time. */
export function journalRecord(
  seq: number,
  fields: { identifier: string; facility: number; message: string; pid?: number },
): Record<string, string> {
  const realtime = START_US + BigInt(seq) * 1_000_000n;
  const monotonic = 5_000_000n + BigInt(seq) * 1_000_000n;
  const pid = String(fields.pid ?? 4000 + seq);
  return {
    __CURSOR: `s=${SEQNUM_ID};i=${seq.toString(16)};b=${BOOT_ID};m=${monotonic.toString(16)};t=${realtime.toString(16)};x=${(seq * 2654435761).toString(16)}`,
    __REALTIME_TIMESTAMP: String(realtime),
    __MONOTONIC_TIMESTAMP: String(monotonic),
    _BOOT_ID: BOOT_ID,
    _MACHINE_ID: MACHINE_ID,
    _HOSTNAME: 'web-01',
    PRIORITY: '6',
    SYSLOG_FACILITY: String(fields.facility),
    SYSLOG_IDENTIFIER: fields.identifier,
    SYSLOG_PID: pid,
    _PID: pid,
    _UID: '0',
    _GID: '0',
    _COMM: fields.identifier,
    _TRANSPORT: 'syslog',
    SYSLOG_TIMESTAMP: 'Nov 23 08:00:00 ',
    MESSAGE: fields.message,
    _SOURCE_REALTIME_TIMESTAMP: String(realtime - 17n),
  };
}

/** Appends journal records (one JSON object per line) to the stand-in journal file. */
export function appendJournal(file: string, records: readonly Record<string, string>[]): void {
  appendFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** sshd login `n` (facility auth), as record `seq`. */
export function sshdRecord(seq: number, n: number): Record<string, string> {
  return journalRecord(seq, {
    identifier: 'sshd',
    facility: 4,
    message: `Accepted publickey for user${n} from 203.0.113.${n % 250} port ${40000 + n} ssh2: ED25519 SHA256:abc`,
  });
}
