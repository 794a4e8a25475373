import type { WindowShape } from "./RollingWindow.js";

/**
 * A customer's window: the event-time sums of a RollingWindow (same reads, same
 * results, same snapshot form), storing only what is not zero: the buckets that
 * received an event, oldest first, and in each only the series that were added to.
 * A customer is active on about 7 of the 32 days of a 30-day window, with about 2 of
 * its 7 series on such a day (bench/state/memoryPerCustomer.ts), so the dense ring
 * was mostly zeros: 1,792 of the 3,168 bytes of numbers each customer kept. The
 * entries are one plain array of numbers, which V8 keeps as unboxed doubles inside its
 * heap: no typed array object and no external buffer per customer. Engine-wide
 * windows, busy every day, keep the dense ring.
 *
 * The window reaches over the newest `bucketCount` buckets; it advances only when an
 * event lands in a newer bucket (lazily, never on a timer), and reads look at the
 * buckets that fall inside the asked span relative to a given time, so an idle
 * customer's old buckets simply stop counting. An event older than the window reaches
 * is refused and the caller counts it as late.
 */
export class SparseWindow {
  readonly shape: WindowShape;
  /**
   * Per stored bucket, buckets ascending: `[bucket, mask, values of the series whose
   * bit is set in the mask, in series order]`. Meaningful up to `#used`; the array's
   * length is its capacity.
   */
  #entries: number[] = NO_ENTRIES;
  #used = 0;
  /** Offset of the last (newest) entry, where most events land; -1 while empty. */
  #lastAt = -1;
  /** Absolute bucket number of the newest bucket written; -1 while empty. */
  #newestBucket = -1;

  constructor(shape: WindowShape) {
    if (shape.seriesCount > MAX_SERIES) throw new RangeError(`a sparse window keeps at most ${MAX_SERIES} series, the shape has ${shape.seriesCount}`);
    this.shape = shape;
  }

  get newestBucket(): number {
    return this.#newestBucket;
  }

  /**
   * The offset of the entry of the bucket holding `ts`, for `addAt`, advancing the
   * window if `ts` is newer than anything held; -1 if `ts` is older than the window
   * reaches. The offset is valid until the next `slotOffset` or `add`.
   */
  slotOffset(ts: number): number {
    const bucket = this.shape.bucketOf(ts);
    if (bucket > this.#newestBucket) {
      this.#newestBucket = bucket;
      this.#dropBefore(bucket - this.shape.bucketCount + 1);
    } else if (bucket <= this.#newestBucket - this.shape.bucketCount) {
      return -1;
    }
    return this.#entryOf(bucket);
  }

  /** Adds to one series of the entry at an offset from `slotOffset`. */
  addAt(offset: number, series: number, amount: number): void {
    const mask = this.#entries[offset + 1]!;
    const at = valueAt(offset, mask, series);
    const bit = 1 << series;
    if ((mask & bit) !== 0) {
      this.#entries[at] += amount;
    } else if (amount !== 0) {
      // Adding zero to a series not stored changes no sum: it stays unstored.
      this.#open(at, 1);
      this.#entries[at] = amount;
      this.#entries[offset + 1] = (mask | bit) >>> 0;
    }
  }

  /** Adds `amount` to `series` in the bucket of `ts`; false if `ts` is too old for the window. */
  add(ts: number, series: number, amount: number): boolean {
    const offset = this.slotOffset(ts);
    if (offset < 0) return false;
    this.addAt(offset, series, amount);
    return true;
  }

  /** Sum of `series` over the `spanBuckets` buckets ending with the one that holds `nowTs`. */
  sum(series: number, nowTs: number, spanBuckets: number): number {
    const entries = this.#entries;
    const nowBucket = this.shape.bucketOf(nowTs);
    const last = Math.min(nowBucket, this.#newestBucket);
    const first = this.#firstInSpan(nowBucket, spanBuckets);
    const bit = 1 << series;
    let total = 0;
    for (let at = 0; at < this.#used; at = nextEntry(at, entries[at + 1]!)) {
      const bucket = entries[at]!;
      if (bucket > last) break;
      const mask = entries[at + 1]!;
      if (bucket >= first && (mask & bit) !== 0) total += entries[valueAt(at, mask, series)]!;
    }
    return total;
  }

  /** The oldest bucket in the `sum` span of `nowTs` where `series` is not zero; -1 if none. */
  oldestNonZero(series: number, nowTs: number, spanBuckets: number): number {
    const entries = this.#entries;
    const nowBucket = this.shape.bucketOf(nowTs);
    const last = Math.min(nowBucket, this.#newestBucket);
    const first = this.#firstInSpan(nowBucket, spanBuckets);
    const bit = 1 << series;
    for (let at = 0; at < this.#used; at = nextEntry(at, entries[at + 1]!)) {
      const bucket = entries[at]!;
      if (bucket > last) break;
      const mask = entries[at + 1]!;
      if (bucket >= first && (mask & bit) !== 0 && entries[valueAt(at, mask, series)] !== 0) return bucket;
    }
    return -1;
  }

  /** Every series' `sum` at once into `into` (one value per series): one pass over the span instead of one per series. */
  sums(nowTs: number, spanBuckets: number, into: Float64Array): void {
    const nowBucket = this.shape.bucketOf(nowTs);
    const last = Math.min(nowBucket, this.#newestBucket);
    const first = this.#firstInSpan(nowBucket, spanBuckets);
    const entries = this.#entries;
    into.fill(0, 0, this.shape.seriesCount);
    for (let at = 0; at < this.#used; at = nextEntry(at, entries[at + 1]!)) {
      const bucket = entries[at]!;
      if (bucket > last) break;
      if (bucket >= first) this.#addEntryInto(at, into);
    }
  }

  /**
   * The non-empty buckets, for snapshots: `[bucket, series values..., bucket, ...]`
   * with absolute bucket numbers, oldest first, every series of a bucket listed.
   */
  toSparse(): number[] {
    const entries = this.#entries;
    const sparse: number[] = [];
    for (let at = 0; at < this.#used; at = nextEntry(at, entries[at + 1]!)) {
      const mask = entries[at + 1]!;
      const end = nextEntry(at, mask);
      let empty = true;
      for (let k = at + HEADER; k < end; k++) if (entries[k] !== 0) empty = false;
      if (empty) continue;
      sparse.push(entries[at]!);
      let position = at + HEADER;
      for (let series = 0; series < this.shape.seriesCount; series++) sparse.push((mask & (1 << series)) !== 0 ? entries[position++]! : 0);
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
    this.#lastAt = -1;
    this.#newestBucket = newestBucket;
    for (let i = 0; i < sparse.length; i += seriesCount + 1) {
      const bucket = sparse[i]!;
      if (bucket > newestBucket || bucket <= newestBucket - bucketCount) continue;
      const at = this.#entryOf(bucket);
      for (let series = 0; series < seriesCount; series++) this.addAt(at, series, sparse[i + 1 + series]!);
    }
  }

  /** The oldest bucket a span of `spanBuckets` ending at `nowBucket` reads, bounded by the window's reach. */
  #firstInSpan(nowBucket: number, spanBuckets: number): number {
    return Math.max(nowBucket - spanBuckets + 1, this.#newestBucket - this.shape.bucketCount + 1, 0);
  }

  /** Adds the stored values of the entry at `at` into `into`, by series. */
  #addEntryInto(at: number, into: Float64Array): void {
    const entries = this.#entries;
    const mask = entries[at + 1]!;
    let position = at + HEADER;
    for (let series = 0; series < this.shape.seriesCount; series++) if ((mask & (1 << series)) !== 0) into[series] += entries[position++]!;
  }

  /** Offset of the entry of `bucket`, inserted (no series stored) in bucket order if missing. */
  #entryOf(bucket: number): number {
    const entries = this.#entries;
    const last = this.#lastAt;
    if (last >= 0 && entries[last] === bucket) return last;
    let at = this.#used;
    if (last >= 0 && entries[last]! > bucket) {
      // Late: a bucket before the newest stored one.
      at = 0;
      while (entries[at]! < bucket) at = nextEntry(at, entries[at + 1]!);
      if (entries[at] === bucket) return at;
    }
    this.#open(at, HEADER);
    this.#entries[at] = bucket;
    this.#entries[at + 1] = 0;
    if (at > this.#lastAt) this.#lastAt = at;
    return at;
  }

  /** Makes room for `count` numbers at `at`, moving what follows. */
  #open(at: number, count: number): void {
    if (this.#used + count > this.#entries.length) this.#grow(this.#used + count);
    const entries = this.#entries;
    for (let k = this.#used - 1; k >= at; k--) entries[k + count] = entries[k]!;
    this.#used += count;
    if (at <= this.#lastAt) this.#lastAt += count;
  }

  /** Forgets the entries of buckets before `oldest`, which no read reaches any more. */
  #dropBefore(oldest: number): void {
    const entries = this.#entries;
    let kept = 0;
    while (kept < this.#used && entries[kept]! < oldest) kept = nextEntry(kept, entries[kept + 1]!);
    if (kept === 0) return;
    for (let k = kept; k < this.#used; k++) entries[k - kept] = entries[k]!;
    this.#used -= kept;
    this.#lastAt = this.#used === 0 ? -1 : this.#lastAt - kept;
  }

  /** Room for at least `needed` numbers, a quarter more and one more series' value with its header. */
  #grow(needed: number): void {
    const grown = new Array<number>(needed + (needed >> 2) + HEADER);
    for (let k = 0; k < this.#used; k++) grown[k] = this.#entries[k]!;
    this.#entries = grown;
  }
}

/** The storage of every window before its first bucket: capacity 0, never written. */
const NO_ENTRIES: number[] = [];
/** Series a window can keep: one bit each in an entry's mask. */
const MAX_SERIES = 32;
/** An entry's bucket and mask, before its values. */
const HEADER = 2;

/** Where the value of `series` is, or would go, in the entry at `at`: after the values of the series before it. */
function valueAt(at: number, mask: number, series: number): number {
  return at + HEADER + bitCount(mask & ~(-1 << series));
}

/** Offset of the entry after the one at `at`, whose mask is `mask`. */
function nextEntry(at: number, mask: number): number {
  return at + HEADER + bitCount(mask);
}

/** Set bits in the low 32 bits of `word`. */
function bitCount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
