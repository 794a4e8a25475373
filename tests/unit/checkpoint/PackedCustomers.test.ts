import { describe, expect, it } from "vitest";
import { decodeCustomer } from "../../../engine/checkpoint/CustomerSnapshot.js";
import { PackedCustomers } from "../../../engine/checkpoint/PackedCustomers.js";
import { stateLayoutFor } from "../../../engine/index.js";
import { anEvent, EngineDriver } from "../../helpers/EngineDriver.js";

describe("PackedCustomers", () => {
  it("gives back every byte value exactly, and counts the bytes it holds", () => {
    const packed = new PackedCustomers();
    const every = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256);
    // A view into a larger buffer, as msgpackr hands out.
    const view = new Uint8Array(new ArrayBuffer(600), 40, 300);
    view.set(every.subarray(0, 300));
    packed.put("A", every);
    packed.put("B", view);
    expect(packed.bytes).toBe(812);
    expect([...packed.read("A")!]).toEqual([...every]);
    expect([...packed.take("B")!]).toEqual([...every.subarray(0, 300)]);
    expect(packed.has("B")).toBe(false);
    expect(packed.bytes).toBe(512);
    expect(packed.take("B")).toBeUndefined();
  });

  it("names the customer packed longest ago; packing one again makes it the newest", () => {
    const packed = new PackedCustomers();
    for (const id of ["A", "B", "C"]) packed.put(id, new Uint8Array([1, 2]));
    expect(packed.oldest()).toBe("A");
    packed.put("A", new Uint8Array([3]));
    expect(packed.oldest()).toBe("B");
    expect([...packed.customerIds()]).toEqual(["B", "C", "A"]);
    expect(packed.bytes).toBe(5);
    packed.delete("B");
    packed.delete("C");
    packed.delete("A");
    expect(packed.oldest()).toBeUndefined();
    expect(packed.bytes).toBe(0);
  });
});

describe("customers held packed by the engine", () => {
  /** One live customer at a time; checkpoints committed by hand. */
  function twoTiers(): EngineDriver {
    return new EngineDriver({ settings: { maxCustomers: 1_000, hotCustomers: 1 } });
  }

  function commit(d: EngineDriver): void {
    const cut = d.engine.beginCheckpoint();
    for (const customerId of cut.customerIds) d.engine.captureCustomer(cut, customerId);
    d.engine.commitCheckpoint(cut);
  }

  it("are packed as they leave the live ones and unpacked, as they were, at their next event", () => {
    const d = twoTiers();
    d.send(anEvent("purchase", { customerId: "A", amount: 40 }));
    d.send(anEvent("purchase", { customerId: "B", amount: 10 }));
    expect(d.engine.customersPacked).toBe(1);
    expect(d.engine.packedBytes).toBeGreaterThan(100);
    d.send(anEvent("purchase", { customerId: "A", amount: 2 }));
    expect(d.engine.customersUnpacked).toBe(1);
    expect(d.engine.customerState("A")!.purchaseAmount).toBe(42);
    expect(d.engine.customersInMemory).toBe(2);
  });

  it("a packed customer in a checkpoint is written as it was packed, with changes after the cut left to the next", () => {
    const d = twoTiers();
    d.send(anEvent("purchase", { customerId: "A", amount: 40 }));
    d.send(anEvent("purchase", { customerId: "B", amount: 10 }));
    const cut = d.engine.beginCheckpoint();
    expect(cut.customerIds).toEqual(["A", "B"]);
    d.send(anEvent("purchase", { customerId: "A", amount: 2 })); // unpacks A, packs B before the writer captured it
    const written = new Map(cut.customerIds.map((id) => [id, decodeCustomer(d.engine.captureCustomer(cut, id), stateLayoutFor(d.config.engine))]));
    expect(written.get("A")!.purchaseAmount).toBe(40);
    expect(written.get("B")!.purchaseAmount).toBe(10);
    d.engine.commitCheckpoint(cut);
    expect(d.engine.beginCheckpoint().customerIds).toEqual(["A"]);
  });

  it("are spilled beyond the memory bound only once their changes are committed", () => {
    const d = new EngineDriver({ settings: { maxCustomers: 2, hotCustomers: 1 } });
    for (const id of ["A", "B", "C"]) d.send(anEvent("login", { customerId: id }));
    // A and B packed, neither committed: the bound waits for the checkpoint.
    expect(d.engine.customersInMemory).toBe(3);
    expect(d.engine.customersSpilled).toBe(0);
    commit(d);
    expect(d.engine.customersInMemory).toBe(2);
    expect(d.engine.needsLoad("A")).toBe(true);
    expect(d.engine.needsLoad("B")).toBe(false);
  });

  it("answer profile queries without being unpacked, and decisions by being unpacked", () => {
    const d = twoTiers();
    d.send(anEvent("complaint", { customerId: "A" }));
    commit(d);
    d.send(anEvent("login", { customerId: "B" }));
    commit(d);
    d.send(anEvent("login", { customerId: "C" }));
    expect(d.engine.customersPacked).toBe(2);
    expect(d.engine.profile("A")!.attitude.openComplaints).toBe(1);
    expect(d.engine.segmentsOf("A")).toContain("open-complaint");
    expect(d.engine.customersUnpacked).toBe(0);
    const decision = d.decide("callcenter", { customerId: "A", requestId: "call-1" });
    expect(decision.actions.length).toBeGreaterThan(0);
    expect(d.engine.customersUnpacked).toBe(1);
    expect(d.engine.profile("A")!.engagement.recentDecisions.map((c) => c.decisionId)).toContain(decision.decisionId);
  });

  it("beyond the memory bound, the customer packed longest ago is spilled and must be loaded", () => {
    const d = new EngineDriver({ settings: { maxCustomers: 3, hotCustomers: 1 } });
    for (const id of ["A", "B", "C", "D"]) {
      d.send(anEvent("login", { customerId: id }));
      commit(d);
    }
    expect(d.engine.customersPacked).toBe(2);
    expect(d.engine.needsLoad("A")).toBe(true);
    expect(d.engine.needsLoad("B")).toBe(false);
    expect(d.engine.customersSpilled).toBe(1);
  });
});
