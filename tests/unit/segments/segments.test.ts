import { describe, expect, it } from "vitest";
import { ConfigError, encodeOutbound, type CustomerState, type EventInput, type SegmentChange } from "../../../engine/index.js";
import { compileDecisionConfig } from "../../../engine/index.js";
import { parseConfig } from "../../../config/loadConfig.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";
import { Rng } from "../../../simulator/Rng.js";

const SEGMENTS = `
engine:
  maxCustomers: 1000
  allowedLateness: 2d
  lifecycle: { newFor: 10d, atRiskAfter: 15d, churnedAfter: 40d }
segments:
  - id: lapsed
    when: purchases > 0 and daysSinceLastPurchase > 20
  - id: new-and-quiet
    when: tenureDays < 10 and daysSinceLastActive >= 3
  - id: at-risk
    when: status == "at-risk"
  - id: busy-week
    when: interactions7d >= 3
  - id: weekly-silence
    when: daysSinceLastSeen / 7 > 1
  - id: unhappy-lapsed
    when: inSegment("lapsed") and lastNps <= 6
  - id: big-spender
    when: revenue >= 500
`;

const SEGMENT_IDS = ["lapsed", "new-and-quiet", "at-risk", "busy-week", "weekly-silence", "unhappy-lapsed", "big-spender"] as const;

/** The segments above, written out by hand over the state at event time `now`: the reference. */
function expectedSegments(s: CustomerState, now: number, driver: EngineDriver): string[] {
  const days = (ts: number) => (ts === 0 ? Infinity : Math.max(0, (now - ts) / DAY));
  const tenureStart = s.signupTs > 0 ? s.signupTs : s.firstSeenTs;
  const lapsed = s.purchases > 0 && days(s.lastPurchaseTs) > 20;
  const member: Record<(typeof SEGMENT_IDS)[number], boolean> = {
    lapsed,
    "new-and-quiet": (tenureStart === 0 ? 0 : Math.max(0, (now - tenureStart) / DAY)) < 10 && days(s.lastActiveTs) >= 3,
    "at-risk": s.statusAt(now, driver.config.engine.lifecycle) === "at-risk",
    "busy-week": s.windowSum(3, now, 7) >= 3,
    "weekly-silence": days(s.lastSeenTs) / 7 > 1,
    "unhappy-lapsed": lapsed && s.nps.last <= 6,
    "big-spender": s.revenue >= 500,
  };
  return SEGMENT_IDS.filter((id) => member[id]);
}

function randomStream(seed: number, customers: number, count: number, spanDays: number): EventInput[] {
  const rng = new Rng(seed);
  const events: EventInput[] = [];
  for (let i = 0; i < count; i++) {
    // Mostly in time order, some up to a day late (inside the allowed lateness of 2 days).
    const ts = Math.round(T0 + (i / count) * spanDays * DAY - (rng.next() < 0.15 ? rng.next() * DAY : 0));
    const customerId = `C${Math.floor(rng.next() ** 2 * customers)}`;
    const pick = rng.next();
    const base = { customerId, ts };
    if (pick < 0.3) events.push(anEvent("purchase", { ...base, amount: Math.round(20 + rng.next() * 200) }));
    else if (pick < 0.35) events.push(anEvent("refund", { ...base, amount: 15 }));
    else if (pick < 0.6) events.push(anEvent("web_visit", base));
    else if (pick < 0.7) events.push(anEvent("survey", { ...base, survey: "nps", score: Math.floor(rng.next() * 11) }));
    else if (pick < 0.75) events.push(anEvent("signup", base));
    else if (pick < 0.85) events.push(anEvent("profile", { ...base, plan: "basic" }));
    else if (pick < 0.93) events.push(anEvent("complaint", { ...base, reason: "billing" }));
    else events.push(anEvent("complaint_resolved", base));
  }
  return events;
}

/** The wall clock a year ahead, so the streams' event times are never "in the future". */
function driver(yaml = SEGMENTS): EngineDriver {
  const d = new EngineDriver({ yaml });
  d.clock.set(T0 + 365 * DAY);
  return d;
}

const membersOf = (driver: EngineDriver, customerId: string) => driver.engine.segmentsOf(customerId);
const changesFor = (driver: EngineDriver, customerId: string, segment: string) =>
  driver.segmentChanges.filter((c) => c.customerId === customerId && c.segment === segment).map((c) => [c.change, c.cause, c.ts]);
const sizeOf = (driver: EngineDriver, segment: string) => driver.engine.segmentSizes().find((s) => s.segment === segment)!.size;

describe("segments", () => {
  it("a customer enters when an event makes the rule true and leaves when one makes it false; sizes count members", () => {
    const d = driver();
    d.send(anEvent("purchase", { id: "p1", customerId: "A", ts: T0, amount: 400 }));
    expect(membersOf(d, "A")).not.toContain("big-spender");
    d.send(anEvent("purchase", { id: "p2", customerId: "A", ts: T0 + 1000, amount: 150 }));
    expect(membersOf(d, "A")).toContain("big-spender");
    expect(sizeOf(d, "big-spender")).toBe(1);
    d.send(anEvent("refund", { id: "r1", customerId: "A", ts: T0 + 2000, amount: 100 }));
    expect(membersOf(d, "A")).not.toContain("big-spender");
    expect(sizeOf(d, "big-spender")).toBe(0);
    const changes = d.segmentChanges.filter((c) => c.segment === "big-spender");
    expect(changes.map((c) => [c.change, c.cause, c.eventId, c.size])).toEqual([
      ["enter", "event", "p2", 1],
      ["exit", "event", "r1", 0],
    ]);
    expect(changes[0]!.changeId).toBe("A:big-spender:enter:p2");
    expect(changes[0]!.ts).toBe(T0 + 1000);
  });

  it("time alone moves a customer into a days-since segment at the exact millisecond, with no event of its own", () => {
    // Only this segment, so no other timer looks at the customer in between.
    const d = driver("segments:\n  - id: lapsed\n    when: purchases > 0 and daysSinceLastPurchase > 20\n");
    d.send(anEvent("purchase", { customerId: "A", ts: T0 }));
    // Another customer's events move event time; exactly 20 days is not "> 20".
    d.send(anEvent("web_visit", { customerId: "B", ts: T0 + 20 * DAY }));
    expect(membersOf(d, "A")).not.toContain("lapsed");
    d.send(anEvent("web_visit", { customerId: "B", ts: T0 + 20 * DAY + 5 }));
    expect(membersOf(d, "A")).toContain("lapsed");
    expect(changesFor(d, "A", "lapsed")).toEqual([["enter", "time", T0 + 20 * DAY + 1]]);
    // A purchase brings the customer back.
    d.send(anEvent("purchase", { customerId: "A", ts: T0 + 21 * DAY }));
    expect(changesFor(d, "A", "lapsed").at(-1)).toEqual(["exit", "event", T0 + 21 * DAY]);
    expect(sizeOf(d, "lapsed")).toBe(0);
  });

  it("time moves customers through lifecycle, window and arithmetic conditions at the moments they turn", () => {
    const d = driver();
    for (let i = 0; i < 3; i++) d.send(anEvent("web_visit", { customerId: "A", ts: T0 + i * 1000 }));
    expect(membersOf(d, "A")).toContain("busy-week");
    d.send(anEvent("web_visit", { customerId: "B", ts: T0 + 60 * DAY }));
    const lastActive = T0 + 2000;
    // The window's daily buckets: the day of the visits leaves the 7-day window 7 days after its start.
    const dayStart = Math.floor(T0 / DAY) * DAY;
    expect(changesFor(d, "A", "busy-week")).toEqual([
      ["enter", "event", T0 + 2000],
      ["exit", "time", dayStart + 7 * DAY],
    ]);
    expect(changesFor(d, "A", "at-risk")).toEqual([
      ["enter", "time", lastActive + 15 * DAY + 1],
      ["exit", "time", lastActive + 40 * DAY + 1],
    ]);
    expect(changesFor(d, "A", "weekly-silence")).toEqual([["enter", "time", lastActive + 7 * DAY + 1]]);
  });

  it("on random streams with late events, memberships always equal the rules evaluated afresh at the watermark, and time changes are exact", () => {
    const d = driver();
    const events = randomStream(7, 150, 4_000, 150);
    const mismatches: string[] = [];
    let timeChanges = 0;
    for (const event of events) {
      const before = d.segmentChanges.length;
      d.send(event);
      const now = d.engine.watermark;
      for (const change of d.segmentChanges.slice(before)) {
        if (change.cause !== "time" || change.customerId === event.customerId) continue;
        // The state has not changed since the timer fired: the rule turned exactly then.
        const state = d.engine.customerState(change.customerId)!;
        const at = expectedSegments(state, change.ts, d).includes(change.segment);
        const justBefore = expectedSegments(state, change.ts - 1, d).includes(change.segment);
        if (justBefore === at || at !== (change.change === "enter")) mismatches.push(`${change.changeId}: ${justBefore} -> ${at}`);
        timeChanges++;
      }
      for (let c = 0; c < 150; c++) {
        const state = d.engine.customerState(`C${c}`);
        if (state === undefined) continue;
        const actual = membersOf(d, state.customerId)!.join();
        const expected = expectedSegments(state, now, d).join();
        if (actual !== expected) mismatches.push(`${state.customerId} at ${now}: ${actual} instead of ${expected}`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(timeChanges).toBeGreaterThan(100);
    // Sizes count members; every customer's changes alternate, starting with an entry.
    for (const id of SEGMENT_IDS) {
      let members = 0;
      for (let c = 0; c < 150; c++) if (membersOf(d, `C${c}`)?.includes(id)) members++;
      expect([id, sizeOf(d, id)]).toEqual([id, members]);
      expect(members + d.segmentChanges.filter((c) => c.segment === id).length).toBeGreaterThan(0);
    }
    const last = new Map<string, SegmentChange["change"]>();
    for (const change of d.segmentChanges) {
      const key = `${change.customerId}/${change.segment}`;
      expect([key, last.get(key) ?? "exit"]).not.toEqual([key, change.change]);
      last.set(key, change.change);
    }
  });

  it("one message fires a bounded number of other customers' timers; the rest follow, each at its own moment; its own customer is always caught up", () => {
    const d = driver("segments:\n  - id: lapsed\n    when: purchases > 0 and daysSinceLastPurchase > 20\n");
    for (let c = 0; c < 200; c++) d.send(anEvent("purchase", { customerId: `P${c}`, ts: T0 + c }));
    // Straight to the engine, without the drain the driver does after each message (as the runtime does after each batch).
    const late = anEvent("purchase", { customerId: "P199", ts: T0 + 30 * DAY });
    d.engine.ingest(encodeOutbound(late), `cx.events.web.P199`, 10_000);
    const entered = () => d.segmentChanges.filter((c) => c.change === "enter");
    expect(entered().length).toBeGreaterThan(0);
    expect(entered().length).toBeLessThan(100);
    // P199's own timer fired before its purchase applied: it entered, then left.
    expect(changesFor(d, "P199", "lapsed")).toEqual([
      ["enter", "time", T0 + 199 + 20 * DAY + 1],
      ["exit", "event", T0 + 30 * DAY],
    ]);
    expect(d.engine.fireDueTimers(Number.POSITIVE_INFINITY)).toBeGreaterThan(0);
    expect(entered().map((c) => [c.customerId, c.ts]).sort()).toEqual(
      Array.from({ length: 200 }, (_, c) => [`P${c}`, T0 + c + 20 * DAY + 1]).sort(),
    );
    expect(sizeOf(d, "lapsed")).toBe(199);
  });

  it("inSegment in triggers and eligibility sees the membership the event just produced", () => {
    const d = driver(`${SEGMENTS}
actions:
  - id: vip-thanks
    kind: message
    channels: [web]
    value: 10
    eligibility: inSegment("big-spender")
triggers:
  - id: vip
    on: [purchase]
    when: inSegment("big-spender")
    action: vip-thanks
    channel: event
`);
    d.send(anEvent("purchase", { customerId: "A", amount: 499 }));
    expect(d.decisions).toHaveLength(0);
    d.send(anEvent("purchase", { customerId: "A", amount: 1, ts: T0 + 1 }));
    expect(d.decisions.map((decision) => decision.actions[0]!.actionId)).toEqual(["vip-thanks"]);
    expect(d.decide("web", { customerId: "A" }).actions.map((a) => a.actionId)).toEqual(["vip-thanks"]);
  });

  it("come back from a checkpoint with their members, sizes and timers, and go on like an engine that never stopped", () => {
    const events = randomStream(11, 80, 2_000, 100);
    const half = events.length / 2;
    const uninterrupted = driver();
    for (const event of events) uninterrupted.send(event);

    const first = driver();
    for (const event of events.slice(0, half)) first.send(event);
    const cutTime = first.engine.watermark;
    const restored = first.restartInto(driver());
    let seq = half;
    for (const event of events.slice(half)) restored.send(event, { seq: ++seq });

    expect(restored.engine.segmentSizes()).toEqual(uninterrupted.engine.segmentSizes());
    const after = (driver: EngineDriver, from: number) =>
      driver.segmentChanges.filter((c) => c.ts > from).map((c) => c.changeId);
    expect(after(restored, cutTime)).toEqual(after(uninterrupted, cutTime));
    expect(after(restored, cutTime).length).toBeGreaterThan(50);
  });

  it("re-evaluate restored customers whose memberships were computed under other definitions", () => {
    const first = driver();
    first.send(anEvent("purchase", { customerId: "A", amount: 600 }));
    const changed = first.restartInto(driver(SEGMENTS.replace("revenue >= 500", "revenue >= 1000")));
    expect(membersOf(changed, "A")).not.toContain("big-spender");
    expect(sizeOf(changed, "big-spender")).toBe(0);
    const same = first.restartInto(driver());
    expect(membersOf(same, "A")).toContain("big-spender");
    expect(sizeOf(same, "big-spender")).toBe(1);
    expect(same.segmentChanges).toEqual([]);
  });

  it("a segment may use only segments defined before it, and ids are unique", () => {
    const compile = (yaml: string) => {
      const config = parseConfig(yaml, "segments.yaml");
      return () => compileDecisionConfig(config.decisions, config.locate);
    };
    expect(compile(`segments:\n  - id: a\n    when: inSegment("b")\n  - id: b\n    when: revenue > 1\n`)).toThrow(
      /segments\.yaml:3:21 segments\[0\]\.when: unknown segment "b"; this rule may use: none/s,
    );
    expect(compile(`segments:\n  - id: a\n    when: revenue > 1\n  - id: a\n    when: revenue > 2\n`)).toThrow(/segment id "a" is used twice/);
    expect(compile(`segments:\n  - id: a\n    when: event.amount > 1\n`)).toThrow(ConfigError);
  });

  it("a reload that changes segments is refused and keeps the running configuration", () => {
    const d = driver();
    const next = parseConfig(SEGMENTS.replace("revenue >= 500", "revenue >= 900").replace("engine:", "version: v2\nengine:"), "next.yaml");
    expect(() => d.engine.reconfigure(compileDecisionConfig(next.decisions, next.locate))).toThrow(/segments changed/);
    expect(d.engine.configVersion).not.toBe("v2");
  });
});
