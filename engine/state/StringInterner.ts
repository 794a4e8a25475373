/**
 * One shared copy of each string that many customers hold (pages, products, reasons,
 * plans). Every decoded event brings its own copy of, say, "/shop/phones", and the
 * customers' recent interactions and product lists kept each copy: about 12 strings
 * per customer, most of them repeats (bench/state/memoryPerCustomer.ts).
 *
 * Bounded: once `max` distinct strings are held, a new one is returned as it is, kept
 * by the customer as before, so a vocabulary without limit (unique page addresses,
 * say) cannot grow the table without limit.
 */
export class StringInterner {
  readonly #max: number;
  readonly #strings = new Map<string, string>();

  constructor(max: number) {
    this.#max = max;
  }

  /** The shared copy of `value`, or `value` itself (now shared, if there is room). */
  intern(value: string): string {
    const shared = this.#strings.get(value);
    if (shared !== undefined) return shared;
    if (this.#strings.size < this.#max) this.#strings.set(value, value);
    return value;
  }

  get size(): number {
    return this.#strings.size;
  }
}

/**
 * The process's table for customer state strings. Strings are values, so sharing them
 * between engines (tests make many) changes nothing but memory.
 */
export const customerStrings = new StringInterner(65_536);
