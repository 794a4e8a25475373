import { grownCapacity, resizedNumbers, resizedStrings } from "./historyGrowth.js";

/** Numbers an interaction log stores per entry (time, amount, type and channel). */
const NUMBERS_PER_ENTRY = 3;

/**
 * The last few interactions of one customer across all channels, in event-time order,
 * in a ring of `capacity` entries. Appending in order is O(1) (the common case); an
 * out-of-order event is moved back to its place, so every channel reads the same
 * ordered history. The storage grows as entries arrive (see historyGrowth); until the
 * ring is full its oldest entry stays at position 0, so growing is a plain copy.
 */
export class InteractionLog {
  readonly capacity: number;
  /** NUMBERS_PER_ENTRY numbers per entry, in plain arrays: no typed array per customer. */
  #numbers: number[] = NO_NUMBERS;
  #detail: string[] = NO_DETAILS;
  /** Ring position of the oldest entry. */
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  record(ts: number, typeIndex: number, channelIndex: number, amount: number, detail: string): void {
    const capacity = this.capacity;
    if (this.#size === capacity) {
      if (ts < this.#ts(this.#start)) return; // older than everything kept
      this.#start = this.#start + 1 === capacity ? 0 : this.#start + 1;
      this.#size--;
    } else if (this.#size === this.#detail.length) {
      this.#grow();
    }
    // Append at the end, then swap backwards while the previous entry is later.
    let at = this.#slot(this.#size);
    this.#write(at, ts, typeIndex, channelIndex, amount, detail);
    for (let i = this.#size; i > 0; i--) {
      const before = this.#slot(i - 1);
      if (this.#ts(before) <= ts) break;
      this.#swap(before, at);
      at = before;
    }
    this.#size++;
  }

  /** Oldest first. */
  forEach(visit: (ts: number, typeIndex: number, channelIndex: number, amount: number, detail: string) => void): void {
    const numbers = this.#numbers;
    for (let i = 0; i < this.#size; i++) {
      const at = this.#slot(i) * NUMBERS_PER_ENTRY;
      const kinds = numbers[at + 2]!;
      visit(numbers[at]!, kinds >> 8, kinds & 0xff, numbers[at + 1]!, this.#detail[at / NUMBERS_PER_ENTRY]!);
    }
  }

  #grow(): void {
    const entries = grownCapacity(this.#detail.length, this.capacity);
    this.#numbers = resizedNumbers(this.#numbers, this.#size * NUMBERS_PER_ENTRY, entries * NUMBERS_PER_ENTRY);
    this.#detail = resizedStrings(this.#detail, this.#size, entries);
  }

  #slot(position: number): number {
    const slot = this.#start + position;
    return slot >= this.capacity ? slot - this.capacity : slot;
  }

  #ts(slot: number): number {
    return this.#numbers[slot * NUMBERS_PER_ENTRY]!;
  }

  #write(slot: number, ts: number, typeIndex: number, channelIndex: number, amount: number, detail: string): void {
    const at = slot * NUMBERS_PER_ENTRY;
    this.#numbers[at] = ts;
    this.#numbers[at + 1] = amount;
    // Type and channel indexes are both below 256: one number holds the pair.
    this.#numbers[at + 2] = (typeIndex << 8) | channelIndex;
    this.#detail[slot] = detail;
  }

  #swap(a: number, b: number): void {
    const numbers = this.#numbers;
    const at = a * NUMBERS_PER_ENTRY;
    const bt = b * NUMBERS_PER_ENTRY;
    for (let i = 0; i < NUMBERS_PER_ENTRY; i++) {
      const kept = numbers[at + i]!;
      numbers[at + i] = numbers[bt + i]!;
      numbers[bt + i] = kept;
    }
    const detail = this.#detail[a]!;
    this.#detail[a] = this.#detail[b]!;
    this.#detail[b] = detail;
  }
}

/** The storage of every log before its first entry: length 0, never written. */
const NO_NUMBERS: number[] = [];
const NO_DETAILS: string[] = [];
