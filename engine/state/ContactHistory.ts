import { grownCapacity, resizedNumbers, resizedStrings } from "./historyGrowth.js";

/** What the customer did with a decision's action, as far as the engine has heard. */
export const ContactOutcome = { pending: 0, accepted: 1, declined: 2, withdrawn: 3 } as const;
export type ContactOutcome = (typeof ContactOutcome)[keyof typeof ContactOutcome];

/** What a contact history entry records about a decision. */
export interface ContactRecord {
  readonly decisionId: string;
  readonly actionId: string;
  readonly channelIndex: number;
  readonly ts: number;
  readonly fromRequest: boolean;
  readonly outcome: ContactOutcome;
}

/**
 * Numbers a contact history stores per entry: the time, and the channel, source and
 * outcome packed in one (CHANNEL_SHIFT): a number slot is 8 bytes whatever it holds.
 */
const NUMBERS_PER_ENTRY = 2;
/** The packed number: outcome in bits 0-1, "from a request" in bit 2, the channel index above. */
const OUTCOME_BITS = 3;
const FROM_REQUEST = 4;
const CHANNEL_SHIFT = 3;

/**
 * The decisions already made for one customer, newest last, in a ring of `capacity`
 * entries: every channel reads the same history, which is what keeps the conversation
 * consistent. The storage grows as decisions are recorded (see historyGrowth); until
 * the ring is full its oldest entry stays at position 0, so growing is a plain copy.
 */
export class ContactHistory {
  readonly capacity: number;
  /** Decision id then action id per entry: one array, not two (one array object and header less per customer). */
  #ids: string[] = NO_IDS;
  /** NUMBERS_PER_ENTRY numbers per entry, in a plain array: no typed array per customer. */
  #numbers: number[] = NO_NUMBERS;
  #next = 0;
  #size = 0;
  /** Decisions ever recorded, including those the ring no longer holds. */
  total = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  record(decisionId: string, actionId: string, channelIndex: number, ts: number, fromRequest: boolean, outcome: ContactOutcome = ContactOutcome.pending): void {
    const at = this.#next;
    if (2 * at === this.#ids.length) this.#grow();
    this.#ids[2 * at] = decisionId;
    this.#ids[2 * at + 1] = actionId;
    this.#numbers[at * NUMBERS_PER_ENTRY] = ts;
    this.#numbers[at * NUMBERS_PER_ENTRY + 1] = (channelIndex << CHANNEL_SHIFT) | (fromRequest ? FROM_REQUEST : 0) | outcome;
    this.#next = (at + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
    this.total++;
  }

  /**
   * Notes the customer's answer to a decision still in the history; false if it is not.
   * The answer must name the decision's action: a response to another offer under the
   * same decision id answers a decision this engine did not make (e.g. in a strategy
   * replay, where decision ids follow the logged ones).
   */
  settle(decisionId: string, actionId: string, outcome: ContactOutcome): boolean {
    for (let k = 0; k < this.#size; k++) {
      const at = this.#at(k);
      if (this.#ids[2 * at] !== decisionId || this.#ids[2 * at + 1] !== actionId) continue;
      this.#numbers[at * NUMBERS_PER_ENTRY + 1] = (this.#numbers[at * NUMBERS_PER_ENTRY + 1]! & ~OUTCOME_BITS) | outcome;
      return true;
    }
    return false;
  }

  /**
   * Contacts after `sinceTs` on a channel (-1: any) whose action `counts`. Exact while
   * the ring reaches back that far (`reaches`); a policy that caps at fewer contacts than
   * the ring holds always is.
   */
  countSince(sinceTs: number, channelIndex: number, counts: (actionId: string) => boolean): number {
    let count = 0;
    for (let k = 0; k < this.#size; k++) {
      const at = this.#at(k);
      // Not `break`: a trigger on a late event records an older time after newer ones.
      if (this.#numbers[at * NUMBERS_PER_ENTRY]! <= sinceTs) continue;
      if (channelIndex >= 0 && this.#channelAt(at) !== channelIndex) continue;
      if (counts(this.#ids[2 * at + 1]!)) count++;
    }
    return count;
  }

  /**
   * The newest contact of `actionId` after `sinceTs` with the given outcome, as its
   * channel index; -1 if none.
   */
  channelOf(actionId: string, sinceTs: number, outcome: ContactOutcome): number {
    for (let k = 0; k < this.#size; k++) {
      const at = this.#at(k);
      if (this.#numbers[at * NUMBERS_PER_ENTRY]! <= sinceTs) continue;
      if (this.#ids[2 * at + 1] === actionId && this.#outcomeAt(at) === outcome) {
        return this.#channelAt(at);
      }
    }
    return -1;
  }

  #grow(): void {
    const entries = grownCapacity(this.#ids.length / 2, this.capacity);
    this.#ids = resizedStrings(this.#ids, 2 * this.#size, 2 * entries);
    this.#numbers = resizedNumbers(this.#numbers, this.#size * NUMBERS_PER_ENTRY, entries * NUMBERS_PER_ENTRY);
  }

  #channelAt(at: number): number {
    return this.#numbers[at * NUMBERS_PER_ENTRY + 1]! >> CHANNEL_SHIFT;
  }

  #outcomeAt(at: number): ContactOutcome {
    return (this.#numbers[at * NUMBERS_PER_ENTRY + 1]! & OUTCOME_BITS) as ContactOutcome;
  }

  /** Ring position of the k-th newest entry (k = 0 is the newest). */
  #at(k: number): number {
    return (this.#next - 1 - k + 2 * this.capacity) % this.capacity;
  }

  /** Oldest first. */
  toArray(): ContactRecord[] {
    const records: ContactRecord[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) {
      const at = (start + i) % this.capacity;
      records.push({
        decisionId: this.#ids[2 * at]!,
        actionId: this.#ids[2 * at + 1]!,
        channelIndex: this.#channelAt(at),
        ts: this.#numbers[at * NUMBERS_PER_ENTRY]!,
        fromRequest: (this.#numbers[at * NUMBERS_PER_ENTRY + 1]! & FROM_REQUEST) !== 0,
        outcome: this.#outcomeAt(at),
      });
    }
    return records;
  }
}

/** The storage of every history before its first decision: length 0, never written. */
const NO_IDS: string[] = [];
const NO_NUMBERS: number[] = [];
