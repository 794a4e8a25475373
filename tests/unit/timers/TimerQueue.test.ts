import { describe, expect, it } from "vitest";
import { TimerQueue } from "../../../engine/timers/TimerQueue.js";
import { Rng } from "../../../simulator/Rng.js";

describe("TimerQueue", () => {
  it("after random sets, moves and deletes, gives each key's latest timer in (due, key) order, once", () => {
    const rng = new Rng(3);
    const queue = new TimerQueue();
    const expected = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const key = `k${Math.floor(rng.next() * 500)}`;
      const pick = rng.next();
      if (pick < 0.1) {
        queue.delete(key);
        expected.delete(key);
      } else if (pick < 0.2) {
        queue.set(key, Number.POSITIVE_INFINITY);
        expected.delete(key);
      } else {
        // Few distinct times, so ties are common.
        const due = Math.floor(rng.next() * 50);
        queue.set(key, due);
        expected.set(key, due);
      }
    }
    expect(queue.size).toBe(expected.size);
    const popped: [string, number][] = [];
    while (queue.size > 0) {
      const key = queue.nextKey!;
      popped.push([key, queue.nextDue]);
      expect(queue.dueOf(key)).toBe(queue.nextDue);
      queue.delete(key);
    }
    const sorted = [...expected].sort(([ka, a], [kb, b]) => a - b || (ka < kb ? -1 : 1));
    expect(popped).toEqual(sorted);
    expect(queue.nextDue).toBe(Number.POSITIVE_INFINITY);
    expect(queue.nextKey).toBeUndefined();
  });
});
