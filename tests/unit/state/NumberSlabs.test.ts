import { describe, expect, it } from "vitest";
import { NumberSlabs, type NumberRun } from "../../../engine/state/NumberSlabs.js";

const numbersOf = (run: NumberRun, length: number) => [...run.numbers.subarray(run.numbersStart, run.numbersStart + length)];

describe("NumberSlabs", () => {
  it("hands out zeroed, non-overlapping runs of the slab length", () => {
    const slabs = new NumberSlabs(5, 3);
    const runs = Array.from({ length: 7 }, () => slabs.take());
    runs.forEach((run, i) => run.numbers.fill(i + 1, run.numbersStart, run.numbersStart + 5));
    for (const [i, run] of runs.entries()) {
      expect(run.numbers.length).toBeGreaterThanOrEqual(run.numbersStart + 5);
      expect(numbersOf(run, 5)).toEqual([i + 1, i + 1, i + 1, i + 1, i + 1]);
    }
  });

  it("gives a returned run out again, zeroed, before carving a new one", () => {
    const slabs = new NumberSlabs(4);
    slabs.take();
    const second = slabs.take();
    second.numbers.fill(9, second.numbersStart, second.numbersStart + 4);
    slabs.give(second);
    expect(slabs.free).toBe(1);
    const again = slabs.take();
    expect([again.numbers, again.numbersStart]).toEqual([second.numbers, second.numbersStart]);
    expect(again.numbers[again.numbersStart + 3]).toBe(0);
    expect(numbersOf(again, 4)).toEqual([0, 0, 0, 0]);
    expect(slabs.free).toBe(0);
  });

  it("refuses a run that is not one of its own", () => {
    const slabs = new NumberSlabs(4);
    expect(() => slabs.give({ numbers: new Float64Array(3), numbersStart: 0 })).toThrow(/not a run of this slab: 3 numbers from 0/);
    expect(() => slabs.give({ numbers: slabs.take().numbers, numbersStart: 2 })).toThrow(/not a run of this slab/);
  });
});
