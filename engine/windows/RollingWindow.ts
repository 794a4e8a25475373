/** The fixed geometry shared by every window of one kind; one object, not one per customer. */
export class WindowShape {
  readonly bucketMs: number;
  readonly bucketCount: number;
  readonly seriesCount: number;

  constructor(bucketMs: number, bucketCount: number, seriesCount: number) {
    if (!(bucketMs > 0 && Number.isInteger(bucketMs))) throw new RangeError(`bucketMs must be a positive integer, got ${bucketMs}`);
    if (!(bucketCount > 0 && Number.isInteger(bucketCount))) throw new RangeError(`bucketCount must be a positive integer, got ${bucketCount}`);
    if (!(seriesCount > 0 && Number.isInteger(seriesCount))) throw new RangeError(`seriesCount must be a positive integer, got ${seriesCount}`);
    this.bucketMs = bucketMs;
    this.bucketCount = bucketCount;
    this.seriesCount = seriesCount;
  }

  /** The absolute bucket number (buckets since the epoch) that holds `ts`. */
  bucketOf(ts: number): number {
    return Math.floor(ts / this.bucketMs);
  }
}

/**
 * Event-time sums of several series over fixed-size time buckets.
 *
 * The window reaches over the newest `bucketCount` buckets; it advances only when an
 * event lands in a newer bucket (lazily, never on a timer), and reads look at the
 * buckets that fall inside the asked span relative to a given time, so an idle
 * customer's old buckets simply stop counting. An event older than the window reaches
 * is refused and the caller counts it as late.
 *
 * Only buckets that received an event are stored, oldest first: a customer is active
 * on about 7 of the 32 days of a 30-day window (bench/state/memoryPerCustomer.ts), so a
 * dense ring of every bucket was mostly zeros, 1,792 of the 3,168 bytes of numbers each
 * customer kept. The entries are one plain array of numbers, which V8 keeps as unboxed
 * doubles inside its heap: no typed array object and no external buffer per window.
 */
export class RollingWindow {
  readonly shape: WindowShape;
  /**
   * `[bucket, value of each series]` per stored bucket, buckets ascending, from index 0
   * to `#used`; the array's length is its capacity.
   */
  #entries: number[] = NO_ENTRIES;
  #used = 0;
  /** Absolute bucket number of the newest bucket written; -1 while empty. */
  #newestBucket = -1;

  constructor(shape: WindowShape) {
    this.shape = shape;
  }

  get newestBucket(): number {
    return this.#newestBucket;
  }

  /**
   * The offset in the entries of the bucket holding `ts`, advancing the window if `ts`
   * is newer than anything held; -1 if `ts` is older than the window reaches. The
   * offset is valid until the next `slotOffset` or `add`.
   */
  slotOffset(ts: number): number {
    const bucket = this.shape.bucketOf(ts);
    if (bucket > this.#newestBucket) {
      this.#newestBucket = bucket;
      this.#dropBefore(bucket - this.shape.bucketCount + 1);
    } else if (bucket <= this.#newestBucket - this.shape.bucketCount) {
      return -1;
    }
    return this.#entryOf(bucket) + 1;
  }

  /** Adds to one series at an offset from `slotOffset`. */
  addAt(offset: number, series: number, amount: number): void {
    this.#entries[offset + series] += amount;
  }

  /** Adds `amount` to `series` in the bucket of `ts`; false if `ts` is too old for the window. */
  add(ts: number, series: number, amount: number): boolean {
    const offset = this.slotOffset(ts);
    if (offset < 0) return false;
    this.#entries[offset + series] += amount;
    return true;
  }

  /** Sum of `series` over the `spanBuckets` buckets ending with the one that holds `nowTs`. */
  sum(series: number, nowTs: number, spanBuckets: number): number {
    const entries = this.#entries;
    const stride = this.shape.seriesCount + 1;
    const nowBucket = this.shape.bucketOf(nowTs);
    const last = Math.min(nowBucket, this.#newestBucket);
    const first = this.#firstInSpan(nowBucket, spanBuckets);
    let total = 0;
    for (let at = 0; at < this.#used; at += stride) {
      const bucket = entries[at]!;
      if (bucket > last) break;
      if (bucket >= first) total += entries[at + 1 + series]!;
    }
    return total;
  }

  /** The oldest bucket in the `sum` span of `nowTs` where `series` is not zero; -1 if none. */
  oldestNonZero(series: number, nowTs: number, spanBuckets: number): number {
    const entries = this.#entries;
    const stride = this.shape.seriesCount + 1;
    const nowBucket = this.shape.bucketOf(nowTs);
    const last = Math.min(nowBucket, this.#newestBucket);
    const first = this.#firstInSpan(nowBucket, spanBuckets);
    for (let at = 0; at < this.#used; at += stride) {
      const bucket = entries[at]!;
      if (bucket > last) break;
      if (bucket >= first && entries[at + 1 + series] !== 0) return bucket;
    }
    return -1;
  }

  /** Every series' `sum` at once into `into` (one value per series): one pass over the span instead of one per series. */
  sums(nowTs: number, spanBuckets: number, into: Float64Array): void {
    const entries = this.#entries;
    const seriesCount = this.shape.seriesCount;
    const stride = seriesCount + 1;
    const nowBucket = this.shape.bucketOf(nowTs);
    const last = Math.min(nowBucket, this.#newestBucket);
    const first = this.#firstInSpan(nowBucket, spanBuckets);
    into.fill(0, 0, seriesCount);
    for (let at = 0; at < this.#used; at += stride) {
      const bucket = entries[at]!;
      if (bucket > last) break;
      if (bucket < first) continue;
      for (let series = 0; series < seriesCount; series++) into[series] += entries[at + 1 + series]!;
    }
  }

  /**
   * The non-empty buckets, for snapshots: `[bucket, series values..., bucket, ...]`
   * with absolute bucket numbers, oldest first.
   */
  toSparse(): number[] {
    const entries = this.#entries;
    const stride = this.shape.seriesCount + 1;
    const sparse: number[] = [];
    for (let at = 0; at < this.#used; at += stride) {
      let empty = true;
      for (let k = 1; k < stride; k++) if (entries[at + k] !== 0) empty = false;
      if (empty) continue;
      for (let k = 0; k < stride; k++) sparse.push(entries[at + k]!);
    }
    return sparse;
  }

  /** Restores what `toSparse` captured, with the newest bucket as it was. */
  restoreSparse(newestBucket: number, sparse: readonly number[]): void {
    const { bucketCount, seriesCount } = this.shape;
    if (sparse.length % (seriesCount + 1) !== 0) {
      throw new RangeError(`window snapshot has ${sparse.length} numbers, not a multiple of ${seriesCount + 1}`);
    }
    this.#used = 0;
    this.#newestBucket = newestBucket;
    for (let i = 0; i < sparse.length; i += seriesCount + 1) {
      const bucket = sparse[i]!;
      if (bucket > newestBucket || bucket <= newestBucket - bucketCount) continue;
      const at = this.#entryOf(bucket);
      for (let series = 0; series < seriesCount; series++) this.#entries[at + 1 + series] = sparse[i + 1 + series]!;
    }
  }

  /** The oldest bucket a span of `spanBuckets` ending at `nowBucket` reads, bounded by the window's reach. */
  #firstInSpan(nowBucket: number, spanBuckets: number): number {
    return Math.max(nowBucket - spanBuckets + 1, this.#newestBucket - this.shape.bucketCount + 1, 0);
  }

  /** Offset of the entry of `bucket`, inserted (all zeros) in bucket order if missing. */
  #entryOf(bucket: number): number {
    const stride = this.shape.seriesCount + 1;
    // From the newest back: events mostly land in the newest bucket.
    let at = this.#used - stride;
    while (at >= 0 && this.#entries[at]! > bucket) at -= stride;
    if (at >= 0 && this.#entries[at] === bucket) return at;
    const inserted = at + stride;
    if (this.#used === this.#entries.length) this.#grow();
    const entries = this.#entries;
    for (let k = this.#used - 1; k >= inserted; k--) entries[k + stride] = entries[k]!;
    entries[inserted] = bucket;
    for (let k = 1; k < stride; k++) entries[inserted + k] = 0;
    this.#used += stride;
    return inserted;
  }

  /** Forgets the entries of buckets before `oldest`, which no read reaches any more. */
  #dropBefore(oldest: number): void {
    const entries = this.#entries;
    const stride = this.shape.seriesCount + 1;
    let kept = 0;
    while (kept < this.#used && entries[kept]! < oldest) kept += stride;
    if (kept === 0) return;
    for (let k = kept; k < this.#used; k++) entries[k - kept] = entries[k]!;
    this.#used -= kept;
  }

  /** Room for a quarter more buckets (at least one), never more than the window reaches. */
  #grow(): void {
    const stride = this.shape.seriesCount + 1;
    const stored = this.#used / stride;
    const capacity = Math.min(this.shape.bucketCount, stored + Math.max(1, stored >> 2)) * stride;
    const grown = new Array<number>(capacity);
    for (let k = 0; k < this.#used; k++) grown[k] = this.#entries[k]!;
    this.#entries = grown;
  }
}

/** The storage of every window before its first bucket: capacity 0, never written. */
const NO_ENTRIES: number[] = [];
