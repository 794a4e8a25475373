import { describe, expect, it } from "vitest";
import type { CustomerState } from "../../../engine/state/CustomerState.js";
import { StateStore } from "../../../engine/state/StateStore.js";
import { layout } from "./stateFixtures.js";

describe("StateStore", () => {
  it("creates a customer once and returns the same state afterwards", () => {
    const store = new StateStore(layout(), 10);
    const first = store.getOrCreate("A");
    expect(store.getOrCreate("A")).toBe(first);
    expect(store.get("A")).toBe(first);
    expect(first.customerId).toBe("A");
    expect(store.size).toBe(1);
  });

  it("holds at most max customers, evicting the least recently used and counting it", () => {
    const evicted: CustomerState[] = [];
    const store = new StateStore(layout(), 2, (state) => evicted.push(state));
    const a = store.getOrCreate("A");
    store.getOrCreate("B");
    store.getOrCreate("C");
    expect(store.size).toBe(2);
    expect(store.max).toBe(2);
    expect(store.evictions).toBe(1);
    expect(evicted).toEqual([a]);
    expect(store.get("A")).toBeUndefined();
  });

  it("starts a customer on recycled numbers exactly like one on new numbers", () => {
    const store = new StateStore(layout(), 10);
    const used = store.getOrCreate("A");
    used.lastResolutionMs = 5;
    used.segmentsDueTs = 7;
    used.revenue = 12.5;
    used.scoresOf("nps").record(9, 100);
    store.recycle(used);
    const reused = store.create("B");
    const fresh = store.transient("C");
    const own = (state: CustomerState) => Array.from(state.numbers.subarray(state.numbersStart, state.numbersStart + store.layout.offsets.length));
    expect([reused.numbers, reused.numbersStart]).toEqual([used.numbers, used.numbersStart]);
    expect(own(reused)).toEqual(own(fresh));
    expect([reused.lastResolutionMs, reused.segmentsDueTs, reused.revenue, reused.nps.last, reused.nps.count]).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      0,
      Number.NaN,
      0,
    ]);
  });

  it("refreshes recency on get, so the other customer is evicted", () => {
    const store = new StateStore(layout(), 2);
    store.getOrCreate("A");
    store.getOrCreate("B");
    store.get("A");
    store.getOrCreate("C");
    expect(store.get("A")).toBeDefined();
    expect(store.get("B")).toBeUndefined();
  });

  it("does not refresh recency on peek", () => {
    const store = new StateStore(layout(), 2);
    const a = store.getOrCreate("A");
    store.getOrCreate("B");
    expect(store.peek("A")).toBe(a);
    store.getOrCreate("C");
    expect(store.peek("A")).toBeUndefined();
    expect(store.peek("B")).toBeDefined();
  });

  it("hands out transient states without storing them", () => {
    const store = new StateStore(layout(), 2);
    const prospect = store.transient("P");
    expect(prospect.customerId).toBe("P");
    expect(store.size).toBe(0);
    expect(store.peek("P")).toBeUndefined();
    expect(store.evictions).toBe(0);
  });

  it("lists the customers it holds", () => {
    const store = new StateStore(layout(), 3);
    store.getOrCreate("A");
    store.getOrCreate("B");
    expect([...store.values()].map((s) => s.customerId).sort()).toEqual(["A", "B"]);
  });
});
