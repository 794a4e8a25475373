import { pack, unpack } from "msgpackr";
import { describe, expect, it } from "vitest";
import { CampaignLedger, NO_OUTCOMES, type CampaignLedgerSnapshot } from "../../../engine/campaigns/CampaignLedger.js";
import { ExperimentDesign } from "../../../engine/campaigns/ExperimentDesign.js";

const design = new ExperimentDesign("spring", 0.1, [
  { id: "A", weight: 1 },
  { id: "B", weight: 1 },
]);

/** A ledger with some history: two contacts in A (one clicks and converts twice, one declines), one control customer who buys. */
function busyLedger(): CampaignLedger {
  const ledger = CampaignLedger.forDesign(design);
  const a = ledger.armIndex("A");
  ledger.contact(a);
  let first = ledger.record(a, "impression", 0, NO_OUTCOMES);
  first = ledger.record(a, "click", 0, first);
  first = ledger.record(a, "convert", 40, first);
  first = ledger.record(a, "convert", 10, first);
  ledger.contact(a);
  let second = ledger.record(a, "impression", 0, NO_OUTCOMES);
  second = ledger.record(a, "impression", 0, second);
  second = ledger.record(a, "decline", 0, second);
  const control = ledger.armIndex("control");
  ledger.contact(control);
  ledger.record(control, "convert", 25.5, NO_OUTCOMES);
  return ledger;
}

describe("CampaignLedger", () => {
  it("has the design's arms, indexed as the design assigns them", () => {
    const ledger = CampaignLedger.forDesign(design);
    expect(ledger.arms).toEqual(["control", "A", "B"]);
    expect(ledger.armIndex("B")).toBe(design.arms.find((a) => a.arm === "B")!.index);
    expect(ledger.armIndex("Z")).toBe(-1);
  });

  it("counts each kind of outcome once per contact, conversions' revenue every time, and positive responses once", () => {
    const ledger = busyLedger();
    expect(ledger.counters(1)).toEqual({
      arm: "A",
      contacts: 2,
      impressions: 2,
      clicks: 1,
      accepts: 0,
      declines: 1,
      conversions: 1,
      // The click and the conversion are one responding contact; the decline is not a response.
      responses: 1,
      revenue: 50,
    });
    expect(ledger.counters(0)).toMatchObject({ arm: "control", contacts: 1, conversions: 1, responses: 1, revenue: 25.5, impressions: 0 });
    expect(ledger.counters(2).contacts).toBe(0);
  });

  it("returns the mask with the outcome's bit, so a repeat is recognised", () => {
    const ledger = CampaignLedger.forDesign(design);
    const mask = ledger.record(1, "accept", 0, NO_OUTCOMES);
    expect(mask).not.toBe(NO_OUTCOMES);
    expect(ledger.record(1, "accept", 0, mask)).toBe(mask);
    expect(ledger.counters(1).accepts).toBe(1);
  });

  it("throws on an arm index it does not have rather than count nowhere", () => {
    const ledger = CampaignLedger.forDesign(design);
    expect(() => ledger.contact(3)).toThrow(/arms 0 to 2, got 3/);
    expect(() => ledger.record(-1, "click", 0, NO_OUTCOMES)).toThrow(/got -1/);
    expect(() => ledger.contact(0.5)).toThrow(/got 0.5/);
  });

  it("rejects a ledger without arms or with duplicate arms", () => {
    expect(() => new CampaignLedger("c", [])).toThrow(/at least one arm/);
    expect(() => new CampaignLedger("c", ["control", "A", "A"])).toThrow(/duplicate arm ids/);
  });

  it("round-trips through a snapshot as plain data (msgpack) and keeps counting from it", () => {
    const ledger = busyLedger();
    const snapshot = unpack(pack(ledger.toSnapshot())) as CampaignLedgerSnapshot;
    expect(snapshot).toEqual(ledger.toSnapshot());
    const restored = CampaignLedger.fromSnapshot(snapshot);
    expect(restored.campaignId).toBe("spring");
    expect(restored.toSnapshot()).toEqual(ledger.toSnapshot());
    restored.contact(2);
    expect(restored.counters(2).contacts).toBe(1);
    expect(ledger.counters(2).contacts).toBe(0);
  });

  it("refuses a snapshot with a counter that is not a non-negative number", () => {
    const snapshot = busyLedger().toSnapshot();
    const broken = { ...snapshot, arms: snapshot.arms.map((a, i) => (i === 1 ? { ...a, clicks: -1 } : a)) };
    expect(() => CampaignLedger.fromSnapshot(broken)).toThrow(/arm "A": clicks must be a non-negative number, got -1/);
    const missing = { ...snapshot, arms: [{ arm: "control" } as unknown as CampaignLedgerSnapshot["arms"][number]] };
    expect(() => CampaignLedger.fromSnapshot(missing)).toThrow(/contacts must be a non-negative number, got undefined/);
  });
});
