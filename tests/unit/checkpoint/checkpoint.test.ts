import { describe, expect, it } from "vitest";
import { decodeCustomer, encodeCustomer } from "../../../engine/checkpoint/CustomerSnapshot.js";
import { decodeStored, IngestResult, type EventInput } from "../../../engine/index.js";
import { CustomerState, StateLayout } from "../../../engine/state/CustomerState.js";
import { TrafficSimulator } from "../../../simulator/TrafficSimulator.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

/** A busy, realistic history: every event type and channel, surveys, complaints, triggers firing. */
function history(count: number, customers: number, seed = 11): EventInput[] {
  const simulator = new TrafficSimulator({ seed, customers, runId: `ck${seed}` });
  return Array.from({ length: count }, (_, i) => simulator.nextEvent(T0 - 20 * DAY + i * 60_000));
}

function driver(maxCustomers = 1_000, hotCustomers = maxCustomers): EngineDriver {
  return new EngineDriver({ settings: { maxCustomers, hotCustomers } });
}

/** `value` with every number rounded to ten significant digits. */
function tenDigits(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === "number" ? Number(v.toPrecision(10)) : v));
}

function layoutOf(d: EngineDriver): StateLayout {
  const e = d.config.engine;
  return new StateLayout({
    allowedLatenessMs: e.allowedLatenessMs,
    recentInteractions: e.recentInteractions,
    contactHistory: e.contactHistory,
    maxProducts: e.maxProductsPerCustomer,
    lifecycle: e.lifecycle,
  });
}

/** The encoded state of a customer, as a checkpoint would write it. */
function encoded(d: EngineDriver, customerId: string): unknown {
  return decodeStored(encodeCustomer(d.engine.customerState(customerId)!, new CustomerState("", layoutOf(d))));
}

describe("checkpoint cuts and customer snapshots", () => {
  it("a customer restored from its captured state has the same 360 view and encodes to the same snapshot", () => {
    const original = driver();
    for (const event of history(3_000, 20)) original.send(event);
    const cut = original.engine.beginCheckpoint();
    expect(cut.customerIds).toHaveLength(20);
    const restored = driver();
    restored.engine.restoreCheckpoint(cut.engine);
    for (const customerId of cut.customerIds) restored.engine.restoreCustomer(customerId, original.engine.captureCustomer(cut, customerId));
    for (const customerId of cut.customerIds) {
      expect(restored.engine.profile(customerId)).toEqual(original.engine.profile(customerId));
      expect(encoded(restored, customerId)).toEqual(encoded(original, customerId));
    }
  });

  it("a restored engine continues exactly like one that never stopped", () => {
    const events = history(4_000, 30);
    const uninterrupted = driver();
    for (const event of events) uninterrupted.send(event);

    const first = driver();
    for (const event of events.slice(0, 2_500)) first.send(event);
    const cut = first.engine.beginCheckpoint();
    const second = driver();
    second.engine.restoreCheckpoint(cut.engine);
    for (const customerId of cut.customerIds) second.engine.restoreCustomer(customerId, first.engine.captureCustomer(cut, customerId));
    for (const [i, event] of events.slice(2_500).entries()) second.send(event, { seq: 2_501 + i });

    expect(second.engine.stats.toSnapshot()).toEqual(uninterrupted.engine.stats.toSnapshot());
    expect(second.engine.watermark).toBe(uninterrupted.engine.watermark);
    for (let c = 0; c < 30; c++) expect(encoded(second, `C${c}`)).toEqual(encoded(uninterrupted, `C${c}`));
    const decisionIds = (d: EngineDriver) => d.decisions.map((x) => x.decisionId);
    expect(decisionIds(uninterrupted).length).toBeGreaterThan(0);
    expect([...decisionIds(first), ...decisionIds(second)]).toEqual(decisionIds(uninterrupted));
  });

  it("a cut holds only the customers changed since the previous cut", () => {
    const d = driver();
    d.send(anEvent("login", { customerId: "A" }));
    d.send(anEvent("login", { customerId: "B" }));
    const first = d.engine.beginCheckpoint();
    d.engine.commitCheckpoint(first);
    d.send(anEvent("login", { customerId: "B" }));
    d.send(anEvent("login", { customerId: "C" }));
    const second = d.engine.beginCheckpoint();
    expect(first.customerIds).toEqual(["A", "B"]);
    expect(second.customerIds).toEqual(["B", "C"]);
    expect(second.seq).toBe(4);
    expect(second.epoch).toBe(first.epoch + 1);
  });

  it("a customer that changes before the writer captures it is written as it was at the cut (copy-on-write)", () => {
    const d = driver();
    d.send(anEvent("purchase", { customerId: "A", amount: 10 }));
    const cut = d.engine.beginCheckpoint();
    d.send(anEvent("purchase", { customerId: "A", amount: 90 }));
    const atCut = decodeCustomer(d.engine.captureCustomer(cut, "A"), layoutOf(d));
    expect([atCut.revenue, atCut.purchases]).toEqual([10, 1]);
    expect(d.engine.customerState("A")!.revenue).toBe(100);
    d.engine.commitCheckpoint(cut);
    expect(d.engine.beginCheckpoint().customerIds).toEqual(["A"]);
  });

  it("an aborted checkpoint's customers go into the next one", () => {
    const d = driver();
    d.send(anEvent("login", { customerId: "A" }));
    const failed = d.engine.beginCheckpoint();
    expect(() => d.engine.beginCheckpoint()).toThrow(/still being written/);
    d.engine.abortCheckpoint(failed);
    d.send(anEvent("login", { customerId: "B" }));
    const next = d.engine.beginCheckpoint();
    expect([...next.customerIds].sort()).toEqual(["A", "B"]);
  });
});

describe("customers spilled out of memory", () => {
  it("an evicted customer not yet in a committed checkpoint stays in memory, packed beyond the bound, and comes back without a load", () => {
    const d = driver(2);
    d.send(anEvent("purchase", { customerId: "A", amount: 5 }));
    d.send(anEvent("login", { customerId: "B" }));
    d.send(anEvent("login", { customerId: "C" })); // evicts A
    expect(d.engine.customersInMemory).toBe(3);
    expect(d.engine.customersPacked).toBe(1);
    expect(d.engine.needsLoad("A")).toBe(false);
    expect(d.send(anEvent("purchase", { customerId: "A", amount: 7 }))).toBe(IngestResult.Applied);
    expect(d.engine.customerState("A")!.revenue).toBe(12);
  });

  it("after the checkpoint commits, the next event of an evicted customer waits for its state; later events wait behind it, in order", () => {
    const bounded = driver(2);
    const unbounded = driver();
    const both = (event: EventInput) => {
      unbounded.send(event);
      return bounded.send(event);
    };
    both(anEvent("purchase", { id: "p1", customerId: "A", amount: 5 }));
    both(anEvent("login", { id: "l1", customerId: "B" }));
    const cut = bounded.engine.beginCheckpoint();
    const stored = new Map(cut.customerIds.map((customerId) => [customerId, bounded.engine.captureCustomer(cut, customerId)]));
    bounded.engine.commitCheckpoint(cut);
    both(anEvent("login", { id: "l2", customerId: "C" })); // evicts A, which is now only in the store
    expect(bounded.engine.customersSpilled).toBe(1);
    expect(bounded.engine.needsLoad("A")).toBe(true);

    expect(both(anEvent("complaint", { id: "c1", customerId: "A", ts: T0 + 1 }))).toBe(IngestResult.NeedsLoad);
    expect(bounded.engine.awaitingCustomer).toBe("A");
    expect(both(anEvent("login", { id: "l3", customerId: "B", ts: T0 + 2 }))).toBe(IngestResult.Queued);
    expect(both(anEvent("complaint_resolved", { id: "r1", customerId: "A", ts: T0 + 3 }))).toBe(IngestResult.Queued);
    expect(bounded.engine.heldMessages).toBe(3);
    const lastSeqWhileWaiting = bounded.engine.stats.lastSeq;

    // Memory holds two: loading A evicts B (clean since the commit), so B is loaded next.
    let next = bounded.engine.resume(stored.get("A")!);
    expect(next).toBe("B");
    next = bounded.engine.resume(stored.get("B")!);
    expect(next).toBeNull();
    expect(bounded.engine.heldMessages).toBe(0);
    expect(lastSeqWhileWaiting).toBe(3);
    expect(bounded.engine.stats.lastSeq).toBe(6);
    for (const id of ["A", "B"]) {
      if (bounded.engine.needsLoad(id)) bounded.engine.restoreCustomer(id, stored.get(id)!);
      expect(bounded.engine.profile(id)).toEqual(unbounded.engine.profile(id));
    }
    expect(bounded.decisions.map((d) => d.decisionId)).toEqual(unbounded.decisions.map((d) => d.decisionId));
  });

  it("a held message that needs another customer stops the resume there and names that customer", () => {
    const d = driver(1);
    d.send(anEvent("login", { customerId: "A" }));
    const cutA = d.engine.beginCheckpoint();
    const storedA = d.engine.captureCustomer(cutA, cutA.customerIds[0]!);
    d.engine.commitCheckpoint(cutA);
    d.send(anEvent("login", { customerId: "B" })); // evicts A
    const cutB = d.engine.beginCheckpoint();
    const storedB = d.engine.captureCustomer(cutB, cutB.customerIds[0]!);
    d.engine.commitCheckpoint(cutB);
    expect(d.send(anEvent("login", { customerId: "A" }))).toBe(IngestResult.NeedsLoad);
    expect(d.send(anEvent("login", { customerId: "B" }))).toBe(IngestResult.Queued);
    expect(d.engine.resume(storedA)).toBe("B"); // loading A evicted B again
    expect(d.engine.resume(storedB)).toBeNull();
    expect(d.engine.customerState("B")!.eventsByType.reduce((a, b) => a + b, 0)).toBe(2);
  });
});

describe("a memory bound far below the customer count", () => {
  it.each([
    { held: "7 live, the others spilled", maxCustomers: 7, hotCustomers: 7 },
    { held: "4 live, up to 21 packed, the others spilled", maxCustomers: 25, hotCustomers: 4 },
    { held: "4 live, all others packed", maxCustomers: 1_000, hotCustomers: 4 },
  ])("with checkpoints, evictions, recycled state storage and loads interleaved, ends equal to an unbounded engine ($held)", ({ maxCustomers, hotCustomers }) => {
    const events = history(6_000, 60, 23);
    const unbounded = driver();
    const bounded = driver(maxCustomers, hotCustomers);
    /** The checkpoint store, as the connector keeps it: the last committed state of each customer. */
    const store = new Map<string, Uint8Array>();
    let cut: ReturnType<typeof bounded.engine.beginCheckpoint> | undefined;
    let captured = 0;
    for (const [i, event] of events.entries()) {
      unbounded.send(event);
      let next = bounded.send(event) === IngestResult.NeedsLoad ? bounded.engine.awaitingCustomer : null;
      while (next !== null) next = bounded.engine.resume(store.get(next) ?? null);
      // A checkpoint in flight across many events, captured a few customers at a time.
      if (cut === undefined && i % 150 === 0) {
        cut = bounded.engine.beginCheckpoint();
        captured = 0;
      } else if (cut !== undefined) {
        for (const customerId of cut.customerIds.slice(captured, captured + 3)) store.set(customerId, bounded.engine.captureCustomer(cut, customerId));
        captured += 3;
        if (captured >= cut.customerIds.length) {
          bounded.engine.commitCheckpoint(cut);
          cut = undefined;
        }
      }
    }
    expect(bounded.engine.evictions).toBeGreaterThan(1_000);
    expect(bounded.engine.heldMessages).toBe(0);
    // The writer finishes, and one more checkpoint commits every change.
    for (const last of [cut, bounded.engine.beginCheckpoint()]) {
      if (last === undefined) continue;
      for (const customerId of last.customerIds) store.set(customerId, bounded.engine.captureCustomer(last, customerId));
      bounded.engine.commitCheckpoint(last);
    }
    if (maxCustomers > hotCustomers) {
      expect(bounded.engine.customersUnpacked).toBeGreaterThan(500);
      expect(bounded.engine.customersPacked).toBe(Math.min(maxCustomers, 60) - hotCustomers);
    }
    // Insights scan every customer in memory: packed ones count as live ones do (in
    // another order, so sums may differ in their last digits).
    if (maxCustomers >= 60) {
      const insights = (d: EngineDriver) => tenDigits([d.engine.profitability(), d.engine.detractorDrivers(), d.engine.segmentProfiles()]);
      expect(insights(bounded)).toEqual(insights(unbounded));
      expect(bounded.engine.segmentMembers("at-risk", 60).sort()).toEqual(unbounded.engine.segmentMembers("at-risk", 60).sort());
    }
    for (let c = 0; c < 60; c++) {
      const id = `C${c}`;
      if (bounded.engine.needsLoad(id)) bounded.engine.restoreCustomer(id, store.get(id)!);
      expect(bounded.engine.profile(id), id).toEqual(unbounded.engine.profile(id));
      expect(encoded(bounded, id), id).toEqual(encoded(unbounded, id));
    }
    expect(bounded.decisions).toEqual(unbounded.decisions);
  });
});

describe("request decisions", () => {
  it("are reported for the durable log and replay into the contact history after a recovery", () => {
    const d = driver();
    d.send(anEvent("complaint", { customerId: "A" }));
    const cut = d.engine.beginCheckpoint();
    const storedA = d.engine.captureCustomer(cut, cut.customerIds[0]!);
    d.engine.commitCheckpoint(cut);
    const decision = d.decide("callcenter", { customerId: "A", requestId: "call-1" });
    expect(d.requestDecisions).toHaveLength(1);
    const [record] = d.requestDecisions;
    expect(record).toMatchObject({ sequence: 1, decisionId: decision.decisionId, customerId: "A", actionId: decision.actions[0]!.actionId });

    const recovered = driver();
    recovered.engine.restoreCheckpoint(cut.engine);
    recovered.engine.restoreCustomer("A", storedA);
    recovered.engine.replayRequestDecision(record!);
    recovered.engine.replayRequestDecision(record!); // a repeat is ignored
    expect(recovered.engine.profile("A")!.engagement).toEqual(d.engine.profile("A")!.engagement);
    expect(recovered.engine.requestDecisions).toBe(1);
  });
});
