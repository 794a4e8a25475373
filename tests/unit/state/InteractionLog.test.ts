import { describe, expect, it } from "vitest";
import { InteractionLog } from "../../../engine/state/InteractionLog.js";
import { Rng } from "../../../simulator/Rng.js";

const T = 1_000_000;

function entries(log: InteractionLog) {
  const out: [number, string][] = [];
  log.forEach((ts, _type, _channel, _amount, detail) => out.push([ts - T, detail]));
  return out;
}

describe("InteractionLog", () => {
  it("keeps interactions oldest first", () => {
    const log = new InteractionLog(4);
    log.record(T + 1, 0, 0, 0, "a");
    log.record(T + 2, 0, 0, 0, "b");
    expect(entries(log)).toEqual([[1, "a"], [2, "b"]]);
    expect(log.size).toBe(2);
  });

  it("inserts an out-of-order interaction at its place in event time", () => {
    const log = new InteractionLog(5);
    log.record(T + 10, 0, 0, 0, "a");
    log.record(T + 30, 0, 0, 0, "c");
    log.record(T + 20, 0, 0, 0, "b");
    log.record(T + 5, 0, 0, 0, "first");
    expect(entries(log)).toEqual([[5, "first"], [10, "a"], [20, "b"], [30, "c"]]);
  });

  it("keeps arrival order among equal timestamps", () => {
    const log = new InteractionLog(3);
    log.record(T, 0, 0, 0, "x");
    log.record(T, 0, 0, 0, "y");
    expect(entries(log)).toEqual([[0, "x"], [0, "y"]]);
  });

  it("evicts the oldest when full", () => {
    const log = new InteractionLog(3);
    for (let i = 1; i <= 5; i++) log.record(T + i, 0, 0, 0, `e${i}`);
    expect(entries(log)).toEqual([[3, "e3"], [4, "e4"], [5, "e5"]]);
    expect(log.size).toBe(3);
  });

  it("evicts the oldest when an out-of-order interaction arrives in a full log", () => {
    const log = new InteractionLog(3);
    log.record(T + 10, 0, 0, 0, "a");
    log.record(T + 20, 0, 0, 0, "b");
    log.record(T + 30, 0, 0, 0, "c");
    log.record(T + 25, 0, 0, 0, "late");
    expect(entries(log)).toEqual([[20, "b"], [25, "late"], [30, "c"]]);
  });

  it("drops an interaction older than everything a full log keeps", () => {
    const log = new InteractionLog(2);
    log.record(T + 10, 0, 0, 0, "a");
    log.record(T + 20, 0, 0, 0, "b");
    log.record(T + 5, 0, 0, 0, "ancient");
    expect(entries(log)).toEqual([[10, "a"], [20, "b"]]);
  });

  it("moves every field together with its timestamp", () => {
    const log = new InteractionLog(3);
    log.record(T + 2, 2, 3, 20, "two");
    log.record(T + 1, 1, 4, 10, "one");
    const rows: unknown[] = [];
    log.forEach((ts, type, channel, amount, detail) => rows.push([ts - T, type, channel, amount, detail]));
    expect(rows).toEqual([
      [1, 1, 4, 10, "one"],
      [2, 2, 3, 20, "two"],
    ]);
  });

  it("matches a sorted-list model over long mixed in-order and out-of-order runs (ring wrap-around included)", () => {
    for (const capacity of [1, 2, 3, 7]) {
      const rng = new Rng(capacity * 97);
      const log = new InteractionLog(capacity);
      const model: [number, string][] = [];
      for (let i = 0; i < 500; i++) {
        // Mostly moving forward, sometimes a little or a lot late, sometimes a tie.
        const last = model.at(-1)?.[0] ?? 0;
        const ts = rng.chance(0.6) ? last + rng.int(3) : last - rng.int(20);
        const detail = `e${i}`;
        log.record(T + ts, 0, 0, i, detail);
        if (model.length === capacity) {
          if (ts < model[0]![0]) continue;
          model.shift();
        }
        let at = model.length;
        while (at > 0 && model[at - 1]![0] > ts) at--;
        model.splice(at, 0, [ts, detail]);
        expect(entries(log), `capacity ${capacity}, step ${i}`).toEqual(model);
      }
    }
  });
});
