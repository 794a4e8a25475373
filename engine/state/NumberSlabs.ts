/** Where one customer's fixed-size numbers are: in `numbers`, from `numbersStart` on. */
export interface NumberRun {
  readonly numbers: Float64Array;
  readonly numbersStart: number;
}

/**
 * Hands out fixed-length runs of numbers in shared chunks, and takes back those of
 * customers that left memory for reuse. A typed array of its own per customer is an
 * external allocation that V8 pays for with extra garbage collections: setting up a new
 * customer's state cost about 25 µs that way and about 15 µs from slabs, with 200,000
 * customers kept (bench/state/newCustomers.ts; the rest is the collector walking the
 * growing heap). A run is the chunk and a start in it, not a typed-array view of its
 * own: a view is an object of about 100 bytes per customer. Recycling keeps memory
 * flat while customers are evicted and loaded back.
 *
 * The owner must give back a run only when nothing can reach it any more: a recycled
 * run is zeroed and handed to another customer.
 */
export class NumberSlabs {
  readonly length: number;
  readonly #perChunk: number;
  readonly #free: NumberRun[] = [];
  #chunk: Float64Array | null = null;
  #used = 0;

  constructor(length: number, perChunk = 64) {
    if (!(length > 0 && Number.isInteger(length))) throw new RangeError(`slab length must be a positive integer, got ${length}`);
    this.length = length;
    this.#perChunk = perChunk;
  }

  /** A run of `length` zeroed numbers. */
  take(): NumberRun {
    const recycled = this.#free.pop();
    if (recycled !== undefined) return recycled;
    if (this.#chunk === null || this.#used === this.#perChunk) {
      this.#chunk = new Float64Array(this.length * this.#perChunk);
      this.#used = 0;
    }
    return { numbers: this.#chunk, numbersStart: this.#used++ * this.length };
  }

  /** Takes back a run from `take` (or the state holding it) that nothing reaches any more. */
  give(run: NumberRun): void {
    const { numbers, numbersStart } = run;
    if (numbers.length !== this.length * this.#perChunk || numbersStart % this.length !== 0) {
      throw new RangeError(`not a run of this slab: ${numbers.length} numbers from ${numbersStart}`);
    }
    numbers.fill(0, numbersStart, numbersStart + this.length);
    // A copy: the run may be a customer's whole state, which the free list must not keep.
    this.#free.push({ numbers, numbersStart });
  }

  /** Runs given back and not yet taken again. */
  get free(): number {
    return this.#free.length;
  }
}
