/**
 * Event-time timers, at most one per key (a customer id): a binary min-heap on the due
 * time with each key's position kept, so re-arming a customer's timer on every event
 * moves its one entry instead of leaving stale ones behind to pile up. Timers due at the
 * same moment come out in key order, so a restored engine fires them as one that never
 * stopped.
 *
 * Most re-arms move a timer later (each interaction pushes inactivity deadlines back).
 * Those are only noted (`#target`) and the entry is moved once, when it reaches the top,
 * instead of sifting on every event: a sift rewrites the position of every entry it
 * passes (benchmark: pipeline, ingest).
 */
export class TimerQueue {
  readonly #keys: string[] = [];
  /** The heap's order: at most the timer's real due time, which is `#target`. */
  readonly #due: number[] = [];
  readonly #target: number[] = [];
  readonly #position = new Map<string, number>();
  /** Entries whose timer is set (not noted as cleared). */
  #size = 0;

  /** Keys with a timer set. */
  get size(): number {
    return this.#size;
  }

  /** The earliest due time; Infinity when no timer is set. */
  get nextDue(): number {
    this.#settleTop();
    return this.#keys.length === 0 ? Number.POSITIVE_INFINITY : this.#due[0]!;
  }

  /** The key of the earliest timer; undefined when none is set. */
  get nextKey(): string | undefined {
    this.#settleTop();
    return this.#keys[0];
  }

  dueOf(key: string): number {
    const at = this.#position.get(key);
    return at === undefined ? Number.POSITIVE_INFINITY : this.#target[at]!;
  }

  /** Sets `key`'s timer to `due`, or clears it when `due` is Infinity. */
  set(key: string, due: number): void {
    const at = this.#position.get(key);
    if (at === undefined) {
      if (due === Number.POSITIVE_INFINITY) return;
      this.#size++;
      this.#keys.push(key);
      this.#due.push(due);
      this.#target.push(due);
      this.#position.set(key, this.#keys.length - 1);
      this.#up(this.#keys.length - 1);
      return;
    }
    const cleared = due === Number.POSITIVE_INFINITY;
    if (cleared !== (this.#target[at] === Number.POSITIVE_INFINITY)) this.#size += cleared ? -1 : 1;
    this.#target[at] = due;
    if (due < this.#due[at]!) {
      this.#due[at] = due;
      this.#up(at);
    }
  }

  delete(key: string): void {
    const at = this.#position.get(key);
    if (at !== undefined) this.#removeAt(at);
  }

  /** Applies the noted later due times (and clearings) to the top until it is exact. */
  #settleTop(): void {
    while (this.#keys.length > 0 && this.#target[0]! !== this.#due[0]!) {
      const target = this.#target[0]!;
      if (target === Number.POSITIVE_INFINITY) {
        this.#removeAt(0);
      } else {
        this.#due[0] = target;
        this.#down(0);
      }
    }
  }

  #removeAt(at: number): void {
    const lastAt = this.#keys.length - 1;
    this.#position.delete(this.#keys[at]!);
    const key = this.#keys[lastAt]!;
    const due = this.#due[lastAt]!;
    const target = this.#target[lastAt]!;
    if (this.#target[at] !== Number.POSITIVE_INFINITY) this.#size--;
    this.#keys.pop();
    this.#due.pop();
    this.#target.pop();
    if (at === lastAt) return;
    this.#place(at, key, due, target);
    this.#up(at);
    this.#down(this.#position.get(key)!);
  }

  #up(at: number): void {
    const key = this.#keys[at]!;
    const due = this.#due[at]!;
    const target = this.#target[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(due, key, this.#due[parent]!, this.#keys[parent]!)) break;
      this.#place(at, this.#keys[parent]!, this.#due[parent]!, this.#target[parent]!);
      at = parent;
    }
    this.#place(at, key, due, target);
  }

  #down(at: number): void {
    const key = this.#keys[at]!;
    const due = this.#due[at]!;
    const target = this.#target[at]!;
    const size = this.#keys.length;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && before(this.#due[child + 1]!, this.#keys[child + 1]!, this.#due[child]!, this.#keys[child]!)) child++;
      if (!before(this.#due[child]!, this.#keys[child]!, due, key)) break;
      this.#place(at, this.#keys[child]!, this.#due[child]!, this.#target[child]!);
      at = child;
    }
    this.#place(at, key, due, target);
  }

  #place(at: number, key: string, due: number, target: number): void {
    this.#keys[at] = key;
    this.#due[at] = due;
    this.#target[at] = target;
    this.#position.set(key, at);
  }
}

function before(due: number, key: string, otherDue: number, otherKey: string): boolean {
  return due < otherDue || (due === otherDue && key < otherKey);
}
