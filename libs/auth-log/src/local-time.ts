/** Turns wall-clock times of one time zone into ISO-8601 strings with offset, and epoch times back. */
export class LocalTime {
  readonly #offsetAt: (epochMs: number) => number;
  readonly #bucketOffsets = new Map<number, number>();

  /** `timeZone` is an IANA name; without it the zone of the process (`TZ`) applies. */
  constructor(timeZone?: string) {
    this.#offsetAt = timeZone === undefined ? processOffset : intlOffset(timeZone);
  }

  /** Offset east of UTC, in minutes, at an instant. */
  offsetAt(epochMs: number): number {
    // Offsets change at most a few times a year: cache per UTC hour, unless the hour holds a change.
    const bucket = Math.floor(epochMs / HOUR);
    let offset = this.#bucketOffsets.get(bucket);
    if (offset === undefined) {
      const start = this.#offsetAt(bucket * HOUR);
      const end = this.#offsetAt(bucket * HOUR + HOUR - 1);
      if (start !== end) return this.#offsetAt(epochMs);
      if (this.#bucketOffsets.size > 4096) this.#bucketOffsets.clear();
      this.#bucketOffsets.set(bucket, start);
      offset = start;
    }
    return offset;
  }

  /** The instant at which this zone's wall clock shows the given fields (month 1-12); an ambiguous time takes the earlier instant. */
  toEpoch(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    const first = this.offsetAt(wall - 12 * HOUR);
    const second_ = this.offsetAt(wall + 12 * HOUR);
    // Try the earlier offset first: of two valid readings of an ambiguous time, it gives the earlier one.
    for (const offset of first >= second_ ? [first, second_] : [second_, first]) {
      const t = wall - offset * MINUTE;
      if (this.offsetAt(t) === offset) return t;
    }
    // A wall time inside a gap (clocks jumped forward): read it with the offset before the jump.
    return wall - first * MINUTE;
  }

  /** The instant formatted as ISO-8601 in this zone, e.g. `2025-05-20T10:00:00.123456+02:00`; `fraction` holds extra digits after the second, as in `.123456`. */
  format(epochMs: number, fraction = ''): string {
    const offset = this.offsetAt(epochMs);
    return formatWithOffset(epochMs, offset, fraction);
  }
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

function processOffset(epochMs: number): number {
  return -new Date(epochMs).getTimezoneOffset();
}

function intlOffset(timeZone: string): (epochMs: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return (epochMs) => {
    const fields: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(epochMs))) {
      if (part.type !== 'literal') fields[part.type] = Number(part.value);
    }
    const wall = Date.UTC(
      fields.year ?? 1970,
      (fields.month ?? 1) - 1,
      fields.day ?? 1,
      fields.hour ?? 0,
      fields.minute ?? 0,
      fields.second ?? 0,
    );
    return Math.round((wall - Math.floor(epochMs / 1000) * 1000) / MINUTE);
  };
}

/** ISO-8601 text of an instant shown at a fixed offset (minutes east of UTC). */
export function formatWithOffset(epochMs: number, offsetMinutes: number, fraction = ''): string {
  const local = epochMs + offsetMinutes * MINUTE;
  const days = Math.floor(local / 86_400_000);
  const msOfDay = local - days * 86_400_000;
  const secondsOfDay = Math.floor(msOfDay / 1000);
  const [y, m, d] = civilFromDays(days);
  const hh = Math.floor(secondsOfDay / 3600);
  const mm = Math.floor((secondsOfDay % 3600) / 60);
  const ss = secondsOfDay % 60;
  return `${pad4(y)}-${pad2(m)}-${pad2(d)}T${pad2(hh)}:${pad2(mm)}:${pad2(ss)}${fraction}${offsetText(offsetMinutes)}`;
}

/** `+02:00` for 120, `-04:30` for -270, `+00:00` for 0. */
export function offsetText(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

// Howard Hinnant's days-to-civil algorithm: proleptic Gregorian, no Date object per call.
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad4(n: number): string {
  return n >= 1000 ? String(n) : String(n).padStart(4, '0');
}
