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

  /** Numbers one window of this shape stores. */
  get valueCount(): number {
    return this.bucketCount * this.seriesCount;
  }

  /** The absolute bucket number (buckets since the epoch) that holds `ts`. */
  bucketOf(ts: number): number {
    return Math.floor(ts / this.bucketMs);
  }
}

/**
 * Event-time sums of several series over fixed-size time buckets, in one typed array:
 * a dense ring, for the engine-wide windows (business metrics, lifecycle schedule),
 * where every bucket and most series receive events. A customer's window, mostly
 * empty, is a SparseWindow: the same reads, over the buckets and series it stores.
 *
 * The ring holds the newest `bucketCount` buckets; it advances only when an event
 * lands in a newer bucket (lazily, never on a timer), and reads look at the buckets
 * that fall inside the asked span relative to a given time, so an idle customer's
 * old buckets simply stop counting. An event older than the ring is refused and the
 * caller counts it as late.
 */
export class RollingWindow {
  readonly shape: WindowShape;
  /** Layout: slot-major, `values[slot * seriesCount + series]`. */
  readonly #values: Float64Array;
  /** Absolute bucket number of the newest bucket written; -1 while empty. */
  #newestBucket = -1;

  constructor(shape: WindowShape) {
    this.shape = shape;
    this.#values = new Float64Array(shape.valueCount);
  }

  get newestBucket(): number {
    return this.#newestBucket;
  }

  /**
   * The offset in the value array of the bucket holding `ts`, advancing the ring if
   * `ts` is newer than anything held; -1 if `ts` is older than the ring reaches.
   */
  slotOffset(ts: number): number {
    const { bucketCount, seriesCount } = this.shape;
    const bucket = this.shape.bucketOf(ts);
    if (bucket > this.#newestBucket) {
      // An empty ring is all zeros already.
      if (this.#newestBucket >= 0) this.#clearBuckets(this.#newestBucket + 1, bucket);
      this.#newestBucket = bucket;
    } else if (bucket <= this.#newestBucket - bucketCount) {
      return -1;
    }
    return (bucket % bucketCount) * seriesCount;
  }

  /** Adds to one series at an offset from `slotOffset`. */
  addAt(offset: number, series: number, amount: number): void {
    this.#values[offset + series] += amount;
  }

  /** Adds `amount` to `series` in the bucket of `ts`; false if `ts` is too old for the ring. */
  add(ts: number, series: number, amount: number): boolean {
    const offset = this.slotOffset(ts);
    if (offset < 0) return false;
    this.#values[offset + series] += amount;
    return true;
  }

  /** Sum of `series` over the `spanBuckets` buckets ending with the one that holds `nowTs`. */
  sum(series: number, nowTs: number, spanBuckets: number): number {
    const { bucketCount, seriesCount } = this.shape;
    const nowBucket = this.shape.bucketOf(nowTs);
    const last = Math.min(nowBucket, this.#newestBucket);
    const first = Math.max(nowBucket - spanBuckets + 1, this.#newestBucket - bucketCount + 1, 0);
    let total = 0;
    for (let bucket = first; bucket <= last; bucket++) {
      total += this.#values[(bucket % bucketCount) * seriesCount + series];
    }
    return total;
  }

  /** The oldest bucket in the `sum` span of `nowTs` where `series` is not zero; -1 if none. */
  oldestNonZero(series: number, nowTs: number, spanBuckets: number): number {
    const { bucketCount, seriesCount } = this.shape;
    const nowBucket = this.shape.bucketOf(nowTs);
    const last = Math.min(nowBucket, this.#newestBucket);
    for (let bucket = Math.max(nowBucket - spanBuckets + 1, this.#newestBucket - bucketCount + 1, 0); bucket <= last; bucket++) {
      if (this.#values[(bucket % bucketCount) * seriesCount + series] !== 0) return bucket;
    }
    return -1;
  }

  /** Every series' `sum` at once into `into` (one value per series): one pass over the span instead of one per series. */
  sums(nowTs: number, spanBuckets: number, into: Float64Array): void {
    const { bucketCount, seriesCount } = this.shape;
    const nowBucket = this.shape.bucketOf(nowTs);
    const last = Math.min(nowBucket, this.#newestBucket);
    const first = Math.max(nowBucket - spanBuckets + 1, this.#newestBucket - bucketCount + 1, 0);
    into.fill(0, 0, seriesCount);
    for (let bucket = first; bucket <= last; bucket++) {
      const offset = (bucket % bucketCount) * seriesCount;
      for (let series = 0; series < seriesCount; series++) into[series] += this.#values[offset + series]!;
    }
  }

  /**
   * The non-empty buckets, for snapshots: `[bucket, series values..., bucket, ...]`
   * with absolute bucket numbers, oldest first.
   */
  toSparse(): number[] {
    const { bucketCount, seriesCount } = this.shape;
    const sparse: number[] = [];
    for (let bucket = Math.max(0, this.#newestBucket - bucketCount + 1); bucket <= this.#newestBucket; bucket++) {
      const offset = (bucket % bucketCount) * seriesCount;
      let empty = true;
      for (let series = 0; series < seriesCount; series++) if (this.#values[offset + series] !== 0) empty = false;
      if (empty) continue;
      sparse.push(bucket);
      for (let series = 0; series < seriesCount; series++) sparse.push(this.#values[offset + series]!);
    }
    return sparse;
  }

  /** Restores what `toSparse` captured, with the newest bucket as it was. */
  restoreSparse(newestBucket: number, sparse: readonly number[]): void {
    const { bucketCount, seriesCount } = this.shape;
    if (sparse.length % (seriesCount + 1) !== 0) {
      throw new RangeError(`window snapshot has ${sparse.length} numbers, not a multiple of ${seriesCount + 1}`);
    }
    this.#values.fill(0);
    this.#newestBucket = newestBucket;
    for (let i = 0; i < sparse.length; i += seriesCount + 1) {
      const bucket = sparse[i]!;
      if (bucket > newestBucket || bucket <= newestBucket - bucketCount) continue;
      const offset = (bucket % bucketCount) * seriesCount;
      for (let series = 0; series < seriesCount; series++) this.#values[offset + series] = sparse[i + 1 + series]!;
    }
  }

  #clearBuckets(fromBucket: number, toBucket: number): void {
    const { bucketCount, seriesCount } = this.shape;
    if (toBucket - fromBucket + 1 >= bucketCount) {
      this.#values.fill(0);
      return;
    }
    for (let bucket = fromBucket; bucket <= toBucket; bucket++) {
      const offset = (bucket % bucketCount) * seriesCount;
      this.#values.fill(0, offset, offset + seriesCount);
    }
  }
}
