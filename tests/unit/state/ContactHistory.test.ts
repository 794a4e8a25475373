import { describe, expect, it } from "vitest";
import { ContactHistory } from "../../../engine/state/ContactHistory.js";

describe("ContactHistory", () => {
  it("returns recorded decisions oldest first with every field", () => {
    const history = new ContactHistory(3);
    history.record("d1", "a1", 2, 100, false);
    history.record("d2", "a2", 5, 200, true);
    expect(history.toArray()).toEqual([
      { decisionId: "d1", actionId: "a1", channelIndex: 2, ts: 100, fromRequest: false },
      { decisionId: "d2", actionId: "a2", channelIndex: 5, ts: 200, fromRequest: true },
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

  it("is empty to begin with", () => {
    expect(new ContactHistory(4).toArray()).toEqual([]);
  });
});
