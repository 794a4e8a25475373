/**
 * Hands out fixed-length Float64Arrays carved from shared chunks, and takes back those
 * of customers that left memory for reuse. A typed array of its own per customer is an
 * external allocation that V8 pays for with extra garbage collections: setting up a new
 * customer's state cost about 25 µs that way and about 15 µs from slabs, with 200,000
 * customers kept (bench/state/newCustomers.ts; the rest is the collector walking the
 * growing heap). Recycling keeps memory flat while customers are evicted and loaded back.
 *
 * The owner must give back an array only when nothing can reach it any more: a
 * recycled array is zeroed and handed to another customer.
 */
export class NumberSlabs {
  readonly length: number;
  readonly #perChunk: number;
  readonly #free: Float64Array[] = [];
  #chunk: Float64Array | null = null;
  #used = 0;

  constructor(length: number, perChunk = 64) {
    if (!(length > 0 && Number.isInteger(length))) throw new RangeError(`slab length must be a positive integer, got ${length}`);
    this.length = length;
    this.#perChunk = perChunk;
  }

  /** A zeroed array of `length` numbers. */
  take(): Float64Array {
    const recycled = this.#free.pop();
    if (recycled !== undefined) return recycled;
    if (this.#chunk === null || this.#used === this.#perChunk) {
      this.#chunk = new Float64Array(this.length * this.#perChunk);
      this.#used = 0;
    }
    const start = this.#used++ * this.length;
    return this.#chunk.subarray(start, start + this.length);
  }

  /** Takes back an array from `take` that nothing reaches any more. */
  give(numbers: Float64Array): void {
    if (numbers.length !== this.length) throw new RangeError(`slab has ${numbers.length} numbers, expected ${this.length}`);
    numbers.fill(0);
    this.#free.push(numbers);
  }

  /** Arrays given back and not yet taken again. */
  get free(): number {
    return this.#free.length;
  }
}
