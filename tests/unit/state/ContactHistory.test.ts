import { describe, expect, it } from "vitest";
import { ContactHistory, ContactOutcome } from "../../../engine/state/ContactHistory.js";

describe("ContactHistory", () => {
  it("returns recorded decisions oldest first with every field", () => {
    const history = new ContactHistory(3);
    history.record("d1", "a1", 2, 100, false);
    history.record("d2", "a2", 5, 200, true);
    expect(history.toArray()).toEqual([
      { decisionId: "d1", actionId: "a1", channelIndex: 2, ts: 100, fromRequest: false, outcome: ContactOutcome.pending },
      { decisionId: "d2", actionId: "a2", channelIndex: 5, ts: 200, fromRequest: true, outcome: ContactOutcome.pending },
    ]);
    expect(history.size).toBe(2);
    expect(history.total).toBe(2);
  });

  it("keeps only the newest `capacity` decisions but counts them all", () => {
    const history = new ContactHistory(2);
    for (let i = 1; i <= 5; i++) history.record(`d${i}`, "a", 0, i, false);
    expect(history.toArray().map((r) => r.decisionId)).toEqual(["d4", "d5"]);
    expect(history.size).toBe(2);
    expect(history.total).toBe(5);
  });

  it("settles a decision's outcome, and counts and finds contacts by window, channel and outcome, late records included", () => {
    const history = new ContactHistory(5);
    history.record("d1", "offer-a", 0, 100, false);
    history.record("d2", "offer-a", 1, 300, false);
    history.record("d3", "care", 1, 400, true);
    history.record("d4", "offer-b", 2, 200, false); // a trigger on a late event: older than the one before
    expect(history.settle("d2", "offer-a", ContactOutcome.accepted)).toBe(true);
    expect(history.settle("unknown", "offer-a", ContactOutcome.declined)).toBe(false);
    // An answer naming another offer does not answer d4.
    expect(history.settle("d4", "offer-a", ContactOutcome.declined)).toBe(false);
    const all = () => true;
    expect(history.countSince(150, -1, all)).toBe(3);
    expect(history.countSince(150, 1, all)).toBe(2);
    expect(history.countSince(150, -1, (id) => id !== "care")).toBe(2);
    expect(history.channelOf("offer-a", 0, ContactOutcome.accepted)).toBe(1);
    expect(history.channelOf("offer-a", 0, ContactOutcome.pending)).toBe(0);
    expect(history.channelOf("offer-a", 100, ContactOutcome.pending)).toBe(-1);
  });

  it("matches a list model while its storage grows up to the capacity and then wraps", () => {
    for (const capacity of [1, 3, 7, 20]) {
      const history = new ContactHistory(capacity);
      const model: string[] = [];
      for (let i = 1; i <= 3 * capacity; i++) {
        history.record(`d${i}`, `a${i % 3}`, i % 4, i, i % 2 === 0);
        model.push(`d${i}`);
        if (model.length > capacity) model.shift();
        expect(history.toArray().map((r) => r.decisionId), `capacity ${capacity}, step ${i}`).toEqual(model);
        expect(history.settle(model[0]!, `a${Number(model[0]!.slice(1)) % 3}`, ContactOutcome.accepted)).toBe(true);
        expect(history.channelOf(`a${Number(model[0]!.slice(1)) % 3}`, 0, ContactOutcome.accepted)).toBe(Number(model[0]!.slice(1)) % 4);
        expect(history.countSince(0, -1, () => true)).toBe(model.length);
      }
    }
  });

  it("is empty to begin with", () => {
    expect(new ContactHistory(4).toArray()).toEqual([]);
  });
});
