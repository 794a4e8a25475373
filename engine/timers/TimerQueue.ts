/**
 * Event-time timers, at most one per key (a customer id): a binary min-heap on the due
 * time with each key's position kept, so re-arming a customer's timer on every event
 * moves its one entry instead of leaving stale ones behind to pile up. Timers due at the
 * same moment come out in key order, so a restored engine fires them as one that never
 * stopped.
 */
export class TimerQueue {
  readonly #keys: string[] = [];
  readonly #due: number[] = [];
  readonly #position = new Map<string, number>();

  get size(): number {
    return this.#keys.length;
  }

  /** The earliest due time; Infinity when no timer is set. */
  get nextDue(): number {
    return this.#keys.length === 0 ? Number.POSITIVE_INFINITY : this.#due[0]!;
  }

  /** The key of the earliest timer; undefined when none is set. */
  get nextKey(): string | undefined {
    return this.#keys[0];
  }

  dueOf(key: string): number {
    const at = this.#position.get(key);
    return at === undefined ? Number.POSITIVE_INFINITY : this.#due[at]!;
  }

  /** Sets `key`'s timer to `due`, or clears it when `due` is Infinity. */
  set(key: string, due: number): void {
    const at = this.#position.get(key);
    // Most events leave a customer's timer where it was: nothing to move.
    if (at !== undefined && this.#due[at] === due) return;
    if (due === Number.POSITIVE_INFINITY) {
      if (at !== undefined) this.#removeAt(at);
      return;
    }
    if (at === undefined) {
      this.#keys.push(key);
      this.#due.push(due);
      this.#position.set(key, this.#keys.length - 1);
      this.#up(this.#keys.length - 1);
      return;
    }
    this.#due[at] = due;
    this.#up(at);
    this.#down(this.#position.get(key)!);
  }

  delete(key: string): void {
    const at = this.#position.get(key);
    if (at !== undefined) this.#removeAt(at);
  }

  #removeAt(at: number): void {
    const lastAt = this.#keys.length - 1;
    this.#position.delete(this.#keys[at]!);
    if (at !== lastAt) {
      this.#place(at, this.#keys[lastAt]!, this.#due[lastAt]!);
      this.#keys.pop();
      this.#due.pop();
      this.#up(at);
      this.#down(at);
    } else {
      this.#keys.pop();
      this.#due.pop();
    }
  }

  #up(at: number): void {
    const key = this.#keys[at]!;
    const due = this.#due[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(due, key, this.#due[parent]!, this.#keys[parent]!)) break;
      this.#place(at, this.#keys[parent]!, this.#due[parent]!);
      at = parent;
    }
    this.#place(at, key, due);
  }

  #down(at: number): void {
    const key = this.#keys[at]!;
    const due = this.#due[at]!;
    const size = this.#keys.length;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && before(this.#due[child + 1]!, this.#keys[child + 1]!, this.#due[child]!, this.#keys[child]!)) child++;
      if (!before(this.#due[child]!, this.#keys[child]!, due, key)) break;
      this.#place(at, this.#keys[child]!, this.#due[child]!);
      at = child;
    }
    this.#place(at, key, due);
  }

  #place(at: number, key: string, due: number): void {
    this.#keys[at] = key;
    this.#due[at] = due;
    this.#position.set(key, at);
  }
}

function before(due: number, key: string, otherDue: number, otherKey: string): boolean {
  return due < otherDue || (due === otherDue && key < otherKey);
}
