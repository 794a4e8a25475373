/** What a contact history entry records about a decision. */
export interface ContactRecord {
  readonly decisionId: string;
  readonly actionId: string;
  readonly channelIndex: number;
  readonly ts: number;
  readonly fromRequest: boolean;
}

/** Numbers a contact history stores per entry (time, channel, source). */
const NUMBERS_PER_ENTRY = 3;

/**
 * The decisions already made for one customer, newest last, in a preallocated ring:
 * every channel reads the same history, which is what keeps the conversation consistent.
 * The numbers live in a Float64Array the owner may place inside a larger one.
 */
export class ContactHistory {
  readonly capacity: number;
  readonly #decisionId: string[];
  readonly #actionId: string[];
  readonly #numbers: Float64Array;
  #next = 0;
  #size = 0;
  /** Decisions ever recorded, including those the ring no longer holds. */
  total = 0;

  static numbersFor(capacity: number): number {
    return capacity * NUMBERS_PER_ENTRY;
  }

  constructor(capacity: number, numbers: Float64Array = new Float64Array(ContactHistory.numbersFor(capacity))) {
    if (numbers.length !== ContactHistory.numbersFor(capacity)) throw new RangeError(`contact history storage has the wrong size`);
    this.capacity = capacity;
    this.#decisionId = new Array<string>(capacity).fill("");
    this.#actionId = new Array<string>(capacity).fill("");
    this.#numbers = numbers;
  }

  get size(): number {
    return this.#size;
  }

  record(decisionId: string, actionId: string, channelIndex: number, ts: number, fromRequest: boolean): void {
    const at = this.#next;
    this.#decisionId[at] = decisionId;
    this.#actionId[at] = actionId;
    this.#numbers[at * NUMBERS_PER_ENTRY] = ts;
    this.#numbers[at * NUMBERS_PER_ENTRY + 1] = channelIndex;
    this.#numbers[at * NUMBERS_PER_ENTRY + 2] = fromRequest ? 1 : 0;
    this.#next = (at + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
    this.total++;
  }

  /** Oldest first. */
  toArray(): ContactRecord[] {
    const records: ContactRecord[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) {
      const at = (start + i) % this.capacity;
      records.push({
        decisionId: this.#decisionId[at]!,
        actionId: this.#actionId[at]!,
        channelIndex: this.#numbers[at * NUMBERS_PER_ENTRY + 1]!,
        ts: this.#numbers[at * NUMBERS_PER_ENTRY]!,
        fromRequest: this.#numbers[at * NUMBERS_PER_ENTRY + 2] === 1,
      });
    }
    return records;
  }
}
