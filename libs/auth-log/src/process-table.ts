// Open addressing with linear probing over typed arrays, filled at most half: a lookup is a multiply and a few
// compares, and nothing is allocated per process. A Map of state objects per process cost the scanner a fifth of its
// time on a busy host's log (lookups, the growth of maps of thousands of entries, and the scavenger copying and
// promoting each process's object).
const EMPTY = 0;
const NO_PORT = -1;
const FIRST_CAPACITY = 16;

/** One generation: slots of pids (stored + 1, so that 0 marks a free slot) and what is known of each. */
class Generation {
  keys: Float64Array;
  sources: (string | undefined)[];
  ports: Float64Array;
  tooMany: Uint8Array;
  size = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity);
    this.sources = new Array<string | undefined>(capacity).fill(undefined);
    this.ports = new Float64Array(capacity).fill(NO_PORT);
    this.tooMany = new Uint8Array(capacity);
  }

  // The slot holding `key`, or the free slot where it would go (as -1 - slot).
  probe(key: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    let slot = (Math.imul(key | 0, 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      const k = keys[slot]!;
      if (k === key) return slot;
      if (k === EMPTY) return -1 - slot;
      slot = (slot + 1) & mask;
    }
  }

  clear(): void {
    this.keys.fill(EMPTY);
    this.sources.fill(undefined);
    this.size = 0;
  }

  grow(): void {
    const { keys, sources, ports, tooMany } = this;
    const capacity = keys.length * 2;
    this.keys = new Float64Array(capacity);
    this.sources = new Array<string | undefined>(capacity).fill(undefined);
    this.ports = new Float64Array(capacity).fill(NO_PORT);
    this.tooMany = new Uint8Array(capacity);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key === EMPTY) continue;
      const slot = -1 - this.probe(key);
      this.keys[slot] = key;
      this.sources[slot] = sources[i];
      this.ports[slot] = ports[i]!;
      this.tooMany[slot] = tooMany[i]!;
    }
  }
}

/**
 * What an {@link AuthLogScanner} remembers of the sshd processes of one host, by pid: the peer each serves (address
 * and port) and whether it already reported too many authentication failures. At most `max` processes, the least
 * recently seen forgotten first, in two generations: when the young one is full it becomes the old one and the old
 * one is dropped, so neither a lookup nor forgetting walks the table. A process is addressed by its slot, valid
 * until the next {@link ProcessTable.add}.
 */
export class ProcessTable {
  #young: Generation;
  #old: Generation;
  readonly #half: number;
  readonly #capacity: number;
  // The last process found or added and its slot: the lines of one connection mostly follow each other.
  #lastKey = EMPTY;
  #lastSlot = -1;
  // The largest key ever added: a larger one (a new process, pids mostly grow) is known absent without a probe, a
  // read at a random place of a large array.
  #maxKey = EMPTY;

  /** A table of at most `max` processes. */
  constructor(max: number) {
    this.#half = Math.max(1, Math.floor(max / 2));
    // Room for twice the entries a generation holds, so that probes stay short; grown as needed, up to that.
    let capacity = FIRST_CAPACITY;
    while (capacity < this.#half * 2) capacity *= 2;
    this.#capacity = capacity;
    this.#young = new Generation(Math.min(FIRST_CAPACITY, capacity));
    this.#old = new Generation(Math.min(FIRST_CAPACITY, capacity));
  }

  /** The slot of process `pid`, or -1 when it is not known; finding a process counts as seeing it. */
  find(pid: number): number {
    const key = pid + 1;
    if (key === this.#lastKey) return this.#lastSlot;
    if (key > this.#maxKey) return -1;
    const slot = this.#young.probe(key);
    if (slot >= 0) {
      this.#lastKey = key;
      this.#lastSlot = slot;
      return slot;
    }
    const old = this.#old;
    const at = old.probe(key);
    if (at < 0) return -1;
    const source = old.sources[at];
    const port = old.ports[at]!;
    const tooMany = old.tooMany[at]!;
    const moved = this.add(pid);
    this.#set(moved, source, port, tooMany);
    return moved;
  }

  /** The slot of process `pid` in the young generation, added (knowing nothing) when it was not there. */
  add(pid: number): number {
    const key = pid + 1;
    if (key === this.#lastKey) return this.#lastSlot;
    let young = this.#young;
    let slot = key > this.#maxKey ? -1 : young.probe(key);
    if (slot >= 0) {
      this.#lastKey = key;
      this.#lastSlot = slot;
      return slot;
    }
    if (key > this.#maxKey) this.#maxKey = key;
    if (young.size >= this.#half) {
      const old = this.#old;
      old.clear();
      this.#old = young;
      this.#young = young = old;
    } else if ((young.size + 1) * 2 > young.keys.length && young.keys.length < this.#capacity) {
      young.grow();
    }
    slot = -1 - young.probe(key);
    young.keys[slot] = key;
    young.sources[slot] = undefined;
    young.ports[slot] = NO_PORT;
    young.tooMany[slot] = 0;
    young.size++;
    // The last process is this one (a turn of the generations or a growth moves the slots of the others).
    this.#lastKey = key;
    this.#lastSlot = slot;
    return slot;
  }

  /** The peer's address of the process at `slot`. */
  source(slot: number): string | undefined {
    return this.#young.sources[slot];
  }

  /** The peer's port of the process at `slot`. */
  port(slot: number): number | undefined {
    const port = this.#young.ports[slot]!;
    return port === NO_PORT ? undefined : port;
  }

  /** Whether the process at `slot` already reported too many authentication failures. */
  tooMany(slot: number): boolean {
    return this.#young.tooMany[slot] === 1;
  }

  /** Records the peer of the process at `slot`, which starts afresh (no failures reported). */
  setPeer(slot: number, source: string | undefined, port: number | undefined): void {
    this.#set(slot, source, port ?? NO_PORT, 0);
  }

  /** Records the peer's port of the process at `slot`. */
  setPort(slot: number, port: number | undefined): void {
    this.#young.ports[slot] = port ?? NO_PORT;
  }

  /** Records that the process at `slot` reported too many authentication failures. */
  setTooMany(slot: number): void {
    this.#young.tooMany[slot] = 1;
  }

  #set(slot: number, source: string | undefined, port: number, tooMany: number): void {
    const young = this.#young;
    young.sources[slot] = source;
    young.ports[slot] = port;
    young.tooMany[slot] = tooMany;
  }
}
