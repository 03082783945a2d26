import { LocalTime, offsetText } from './local-time.js';

/** What a {@link SyslogClock} needs: the zone of zoneless times and the clock that decides missing years. */
export interface SyslogClockOptions {
  /** IANA zone of times that carry no offset; default: the process's zone (`TZ`). */
  readonly timeZone?: string | undefined;
  /** Milliseconds since the epoch, or a function giving them; default: the current time. */
  readonly now?: number | Date | (() => number) | undefined;
}

interface HourEntry {
  /** e.g. `2005-06-21T16:` */
  readonly prefix: string;
  /** e.g. `+02:00`, or '' when the hour holds an offset change and each line is computed alone. */
  readonly suffix: string;
  /** The entry holds while `validFrom <= now < validUntil` (epoch ms). */
  readonly validFrom: number;
  readonly validUntil: number;
}

const MONTHS: Record<string, number> = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};

/** Reads syslog timestamps: classic ones without year or zone, and RFC 3339 ones with or without offset. */
export class SyslogClock {
  readonly local: LocalTime;
  readonly #now: () => number;
  /** The clock was given as a fixed time: a result never goes stale. */
  readonly fixed: boolean;
  readonly #hours = new Map<number, HourEntry>();

  constructor(options: SyslogClockOptions = {}) {
    this.local = new LocalTime(options.timeZone);
    const now = options.now;
    this.fixed = typeof now === 'number' || now instanceof Date;
    if (now === undefined) this.#now = Date.now;
    else if (typeof now === 'function') this.#now = now;
    else {
      const fixed = typeof now === 'number' ? now : now.getTime();
      this.#now = () => fixed;
    }
  }

  /** Until when (epoch ms of this clock's now) the last result of {@link SyslogClock.classic} holds: then its year changes. */
  lastValidUntil = Number.POSITIVE_INFINITY;

  /** The current time of this clock, epoch ms. */
  now(): number {
    return this.#now();
  }

  /**
   * ISO-8601 time of a classic timestamp `Mmm dd hh:mm:ss` (month as `Jan`…`Dec` or 1-12): the
   * latest year in which that wall time is not after now, in the local zone; undefined if malformed.
   */
  classic(
    month: string | number,
    day: number,
    hour: number,
    minute: number,
    second: number,
  ): string | undefined {
    const m = typeof month === 'number' ? month : MONTHS[month];
    if (
      m === undefined ||
      m < 1 ||
      m > 12 ||
      day < 1 ||
      day > 31 ||
      hour > 23 ||
      minute > 59 ||
      second > 60
    ) {
      return undefined;
    }
    const now = this.#now();
    const key = (m * 32 + day) * 24 + hour;
    let entry = this.#hours.get(key);
    if (entry === undefined || now < entry.validFrom || now >= entry.validUntil) {
      entry = this.#hourEntry(m, day, hour, now);
      if (entry === undefined) return this.#exact(m, day, hour, minute, second, now);
      if (this.#hours.size > 4096) this.#hours.clear();
      this.#hours.set(key, entry);
    }
    if (entry.suffix === '') return this.#exact(m, day, hour, minute, second, now);
    this.lastValidUntil = entry.validUntil;
    return `${entry.prefix}${pad2(minute)}:${pad2(second > 59 ? 59 : second)}${entry.suffix}`;
  }

  /** ISO-8601 time of a local wall time with a known year (month 1-12), as logged without offset. */
  wall(
    year: number,
    month: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
    fraction = '',
  ): string {
    return this.local.format(this.local.toEpoch(year, month, day, hour, minute, second), fraction);
  }

  // An hour's entry when the whole hour, in the year chosen, lies before now and shows one offset.
  #hourEntry(month: number, day: number, hour: number, now: number): HourEntry | undefined {
    const year = this.#latestYear(month, day, hour, 59, 59, now);
    // The hour now lies in: its lines fall in different years, each is read alone.
    if (year === undefined || year !== this.#latestYear(month, day, hour, 0, 0, now)) return undefined;
    const start = this.local.toEpoch(year, month, day, hour, 0, 0);
    const end = this.local.toEpoch(year, month, day, hour, 59, 59);
    const offset = this.local.offsetAt(start);
    const next = this.#nextOccurrence(year, month, day, hour);
    if (end - start !== 3_599_000 || this.local.offsetAt(end) !== offset) {
      return { prefix: '', suffix: '', validFrom: end, validUntil: next };
    }
    return {
      prefix: `${year}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:`,
      suffix: offsetText(offset),
      validFrom: end,
      validUntil: next,
    };
  }

  #nextOccurrence(year: number, month: number, day: number, hour: number): number {
    for (let y = year + 1; y <= year + 8; y++) {
      if (validDate(y, month, day)) return this.local.toEpoch(y, month, day, hour, 0, 0);
    }
    return Number.POSITIVE_INFINITY;
  }

  #exact(
    month: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
    now: number,
  ): string | undefined {
    const s = second > 59 ? 59 : second;
    const year = this.#latestYear(month, day, hour, minute, s, now);
    if (year === undefined) return undefined;
    const epoch = this.local.toEpoch(year, month, day, hour, minute, s);
    this.lastValidUntil =
      this.#nextOccurrence(year, month, day, hour) +
      (epoch - this.local.toEpoch(year, month, day, hour, 0, 0));
    return this.local.format(epoch);
  }

  #latestYear(
    month: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
    now: number,
  ): number | undefined {
    const nowYear = Number(this.local.format(now).slice(0, 4));
    for (let year = nowYear; year > nowYear - 9; year--) {
      if (!validDate(year, month, day)) continue;
      if (this.local.toEpoch(year, month, day, hour, minute, second) <= now) return year;
    }
    return undefined;
  }
}

function validDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
