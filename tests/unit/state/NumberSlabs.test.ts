import { describe, expect, it } from "vitest";
import { NumberSlabs } from "../../../engine/state/NumberSlabs.js";

describe("NumberSlabs", () => {
  it("hands out zeroed, non-overlapping arrays of the slab length", () => {
    const slabs = new NumberSlabs(5, 3);
    const arrays = Array.from({ length: 7 }, () => slabs.take());
    arrays.forEach((array, i) => array.fill(i + 1));
    for (const [i, array] of arrays.entries()) {
      expect(array).toHaveLength(5);
      expect([...array]).toEqual([i + 1, i + 1, i + 1, i + 1, i + 1]);
    }
  });

  it("gives a returned array out again, zeroed, before carving a new one", () => {
    const slabs = new NumberSlabs(4);
    const first = slabs.take();
    first.fill(9);
    slabs.give(first);
    expect(slabs.free).toBe(1);
    const again = slabs.take();
    expect(again).toBe(first);
    expect([...again]).toEqual([0, 0, 0, 0]);
    expect(slabs.free).toBe(0);
  });

  it("refuses an array of another length", () => {
    const slabs = new NumberSlabs(4);
    expect(() => slabs.give(new Float64Array(3))).toThrow(/slab has 3 numbers, expected 4/);
  });
});
