import { describe, expect, it } from "vitest";
import { RollingWindow, WindowShape } from "../../../engine/windows/RollingWindow.js";
import { SparseWindow } from "../../../engine/windows/SparseWindow.js";

const B = 1_000; // bucket width (ms)
const COUNT = 5; // buckets in the ring
const SERIES = 2;
const A = 0; // series indices
const Z = 1;

/** A time inside absolute bucket `bucket`, `offset` ms after its start. */
const at = (bucket: number, offset = 0) => bucket * B + offset;


describe("WindowShape", () => {
  it("maps a time to the bucket that holds it", () => {
    const shape = new WindowShape(B, COUNT, SERIES);
    expect(shape.bucketOf(0)).toBe(0);
    expect(shape.bucketOf(999)).toBe(0);
    expect(shape.bucketOf(1_000)).toBe(1);
    expect(shape.bucketOf(at(123, 456))).toBe(123);
  });

  it("rejects zero, negative, fractional and NaN geometry", () => {
    for (const [bucketMs, bucketCount, seriesCount] of [
      [0, 5, 1],
      [-1, 5, 1],
      [1.5, 5, 1],
      [Number.NaN, 5, 1],
      [1000, 0, 1],
      [1000, 2.5, 1],
      [1000, 5, 0],
      [1000, 5, -2],
      [1000, 5, Number.POSITIVE_INFINITY],
    ] as const) {
      expect(() => new WindowShape(bucketMs, bucketCount, seriesCount), `${bucketMs},${bucketCount},${seriesCount}`).toThrow(RangeError);
    }
  });
});

// A customer's SparseWindow stores only what is not zero; it must read exactly like the dense ring.
describe.each([
  ["RollingWindow", RollingWindow],
  ["SparseWindow", SparseWindow],
] as const)("%s", (_name, Window) => {
  const ring = () => new Window(new WindowShape(B, COUNT, SERIES));

  it("sums every series at once exactly as sum does each, for every span and now, across the ring's wrap", () => {
    const w = ring();
    for (let bucket = 0; bucket < 12; bucket++) {
      w.add(at(bucket, 7), A, bucket + 1);
      if (bucket % 3 === 0) w.add(at(bucket), Z, 10 * bucket);
    }
    const into = new Float64Array(SERIES);
    for (let now = 5; now <= 16; now++) {
      for (let span = 1; span <= COUNT + 1; span++) {
        w.sums(at(now, 3), span, into);
        expect([now, span, ...into]).toEqual([now, span, w.sum(A, at(now, 3), span), w.sum(Z, at(now, 3), span)]);
      }
    }
  });

  it("sums a series over the span of buckets ending with the one holding now", () => {
    const w = ring();
    w.add(at(100), A, 1);
    w.add(at(101, 10), A, 2);
    w.add(at(102, 999), A, 4);
    w.add(at(102), Z, 100);
    expect(w.sum(A, at(102, 500), 1)).toBe(4);
    expect(w.sum(A, at(102), 2)).toBe(6);
    expect(w.sum(A, at(102), 3)).toBe(7);
    expect(w.sum(A, at(102), 5)).toBe(7);
    expect(w.sum(Z, at(102), 5)).toBe(100);
  });

  it("reads zero from an empty window", () => {
    expect(ring().sum(A, at(100), COUNT)).toBe(0);
  });

  it("advances lazily: a newer bucket clears the slots it reuses", () => {
    const w = ring();
    for (let bucket = 100; bucket < 100 + COUNT; bucket++) w.add(at(bucket), A, 1);
    expect(w.sum(A, at(104), COUNT)).toBe(5);
    // Bucket 105 reuses the slot of bucket 100.
    w.add(at(105), A, 10);
    expect(w.newestBucket).toBe(105);
    expect(w.sum(A, at(105), COUNT)).toBe(14);
    expect(w.sum(A, at(105), 1)).toBe(10);
  });

  it("clears every slot when the next event is more than a ring ahead", () => {
    const w = ring();
    for (let bucket = 100; bucket < 100 + COUNT; bucket++) w.add(at(bucket), A, 1);
    w.add(at(200), A, 3);
    expect(w.sum(A, at(200), COUNT)).toBe(3);
    expect(w.sum(Z, at(200), COUNT)).toBe(0);
  });

  it("clears skipped buckets when it jumps less than a ring ahead", () => {
    const w = ring();
    for (let bucket = 100; bucket < 100 + COUNT; bucket++) w.add(at(bucket), A, 1);
    // Jump from 104 to 107: buckets 105 and 106 reuse the slots of 100 and 101, 107 that of 102.
    w.add(at(107), A, 5);
    expect(w.sum(A, at(107), COUNT)).toBe(1 + 1 + 5); // buckets 103, 104 and 107
  });

  it("refuses an event older than the ring reaches and leaves the sums alone", () => {
    const w = ring();
    w.add(at(110), A, 1);
    expect(w.add(at(110 - COUNT), A, 50)).toBe(false);
    expect(w.slotOffset(at(110 - COUNT))).toBe(-1);
    expect(w.add(at(10), A, 50)).toBe(false);
    expect(w.sum(A, at(110), COUNT)).toBe(1);
    expect(w.newestBucket).toBe(110);
  });

  it("puts an out-of-order event inside the ring into its own bucket", () => {
    const w = ring();
    w.add(at(110), A, 1);
    expect(w.add(at(110 - COUNT + 1), A, 7)).toBe(true);
    expect(w.add(at(108, 5), A, 2)).toBe(true);
    expect(w.newestBucket).toBe(110);
    expect(w.sum(A, at(110), 1)).toBe(1);
    expect(w.sum(A, at(110), 3)).toBe(3);
    expect(w.sum(A, at(110), COUNT)).toBe(10);
    // Reading as of bucket 108 sees 108 and earlier only.
    expect(w.sum(A, at(108), 2)).toBe(2);
  });

  it("excludes buckets that fell out of the span when now is beyond the newest bucket", () => {
    const w = ring();
    w.add(at(100), A, 1);
    w.add(at(101), A, 2);
    w.add(at(102), A, 4);
    // Nothing written since 102; as of 104 a 3-bucket span covers 102..104.
    expect(w.sum(A, at(104), 3)).toBe(4);
    expect(w.sum(A, at(103), 3)).toBe(6);
    // Far in the future the old buckets do not count at all, even for a long span.
    expect(w.sum(A, at(102 + COUNT), COUNT)).toBe(0);
    expect(w.sum(A, at(500), COUNT * 2)).toBe(0);
    // Reading does not advance the ring.
    expect(w.newestBucket).toBe(102);
  });

  it("never counts a bucket older than the ring, even for a span longer than the ring", () => {
    const w = ring();
    for (let bucket = 100; bucket < 100 + 2 * COUNT; bucket++) w.add(at(bucket), A, 1);
    expect(w.sum(A, at(109), 100)).toBe(COUNT);
  });

  it("writes through slotOffset and addAt to the same bucket as add", () => {
    const w = ring();
    const offset = w.slotOffset(at(100, 1));
    expect(offset).toBeGreaterThanOrEqual(0);
    w.addAt(offset, Z, 3);
    w.add(at(100, 2), Z, 4);
    expect(w.sum(Z, at(100), 1)).toBe(7);
    expect(w.sum(A, at(100), 1)).toBe(0);
  });

  it("restores from its sparse form and newestBucket exactly", () => {
    const w = ring();
    w.add(at(100), A, 1);
    w.add(at(102), Z, 2.5);
    w.add(at(103), A, 4);
    const copy = ring();
    copy.restoreSparse(w.newestBucket, w.toSparse());
    expect(copy.newestBucket).toBe(103);
    for (const series of [A, Z]) {
      for (let now = 99; now <= 110; now++) {
        for (let span = 1; span <= COUNT; span++) expect(copy.sum(series, at(now), span)).toBe(w.sum(series, at(now), span));
      }
    }
    // The restored ring keeps advancing like the original.
    w.add(at(106), A, 8);
    copy.add(at(106), A, 8);
    expect(copy.toSparse()).toEqual(w.toSparse());
  });

  it("keeps only non-empty buckets in its sparse form", () => {
    const w = ring();
    w.add(at(100), A, 1);
    w.add(at(104), Z, 2);
    expect(w.toSparse()).toEqual([100, 1, 0, 104, 0, 2]);
  });

  it("the sparse form is a copy: changing the window afterwards does not change it", () => {
    const w = ring();
    w.add(at(100), A, 1);
    const snapshot = w.toSparse();
    w.add(at(100), A, 1);
    expect(snapshot.slice(1).reduce((s, v) => s + v, 0)).toBe(1);
  });

  it("sums exactly what a plain scan of the events it took gives, for events in and out of order", () => {
    const w = ring();
    const taken: { bucket: number; series: number; amount: number }[] = [];
    let seed = 12_345;
    const random = (n: number) => (seed = (seed * 48_271) % 2_147_483_647) % n;
    for (let i = 0; i < 600; i++) {
      // Mostly forward in time, often a few buckets late, now and then far ahead.
      const bucket = 100 + Math.floor(i / 4) - random(COUNT + 2) + (random(50) === 0 ? 3 * COUNT : 0);
      const series = random(SERIES);
      const amount = random(9) - 2;
      const tooOld = bucket <= w.newestBucket - COUNT;
      expect(w.add(at(bucket, random(B)), series, amount)).toBe(!tooOld);
      if (!tooOld) taken.push({ bucket, series, amount });
      const newest = w.newestBucket;
      for (const span of [1, 2, COUNT]) {
        for (const now of [newest, newest + 1, newest + COUNT]) {
          const first = Math.max(now - span + 1, newest - COUNT + 1);
          const expected = taken
            .filter((e) => e.series === A && e.bucket >= first && e.bucket <= Math.min(now, newest))
            .reduce((total, e) => total + e.amount, 0);
          expect(w.sum(A, at(now), span), `event ${i}, now ${now}, span ${span}`).toBe(expected);
        }
      }
    }
  });

  it("refuses a sparse snapshot of another shape", () => {
    expect(() => ring().restoreSparse(10, new Array(SERIES + 2).fill(0))).toThrow(RangeError);
  });
});

describe("SparseWindow", () => {
  it("refuses a shape of more series than its mask holds", () => {
    expect(() => new SparseWindow(new WindowShape(B, COUNT, 33))).toThrow(RangeError);
  });

  it("keeps the 32nd series apart from the others (the mask's sign bit)", () => {
    const w = new SparseWindow(new WindowShape(B, COUNT, 32));
    w.add(at(100), 31, 3);
    w.add(at(100), 0, 1);
    w.add(at(100), 30, 2);
    w.add(at(100), 31, 4);
    expect([w.sum(0, at(100), 1), w.sum(30, at(100), 1), w.sum(31, at(100), 1), w.sum(29, at(100), 1)]).toEqual([1, 2, 7, 0]);
    const sums = new Float64Array(32);
    w.sums(at(100), 1, sums);
    expect([sums[0], sums[30], sums[31]]).toEqual([1, 2, 7]);
  });

  it("stores a late bucket between others and a series added late in the day among the others", () => {
    const w = new SparseWindow(new WindowShape(B, COUNT, 3));
    w.add(at(100), 2, 5);
    w.add(at(103), 0, 1);
    w.add(at(101), 1, 7); // late: between the two stored buckets
    w.add(at(100), 0, 2); // a series before the stored one in the same bucket
    w.add(at(103), 2, 4);
    expect(w.toSparse()).toEqual([100, 2, 0, 5, 101, 0, 7, 0, 103, 1, 0, 4]);
    expect([w.sum(0, at(103), COUNT), w.sum(1, at(103), COUNT), w.sum(2, at(103), COUNT)]).toEqual([3, 7, 9]);
  });
});
