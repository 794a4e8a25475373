import { describe, expect, it } from "vitest";
import type { ArmCounters, CampaignLedgerSnapshot } from "../../../engine/campaigns/CampaignLedger.js";
import { compareProportions, liftReport } from "../../../engine/campaigns/LiftReport.js";

function arm(arm: string, contacts: number, conversions: number, revenue: number, responses = conversions): ArmCounters {
  return { arm, contacts, impressions: 0, clicks: 0, accepts: 0, declines: 0, conversions, responses, revenue };
}

/** The hand-computed example: control 1000 contacts, 50 conversions, 2500 revenue; A 1000 contacts, 80 conversions, 4000 revenue; B not yet contacted. */
const ledger: CampaignLedgerSnapshot = {
  campaignId: "spring",
  arms: [arm("control", 1000, 50, 2500), arm("A", 1000, 80, 4000, 120), arm("B", 0, 0, 0)],
};

describe("LiftReport", () => {
  it("matches the hand-computed lift, interval and test of 50/1000 against 80/1000", () => {
    const a = liftReport(ledger).variants.find((v) => v.arm === "A")!.conversionRate;
    // Rates: 50 / 1000 = 0.05 and 80 / 1000 = 0.08; lift 0.08 - 0.05 = 0.03, relative 0.03 / 0.05 = 0.6.
    expect(a.control).toBeCloseTo(0.05, 12);
    expect(a.variant).toBeCloseTo(0.08, 12);
    expect(a.absoluteLift).toBeCloseTo(0.03, 12);
    expect(a.relativeLift).toBeCloseTo(0.6, 12);
    // Unpooled SE = sqrt(0.05 · 0.95 / 1000 + 0.08 · 0.92 / 1000) = sqrt(0.0000475 + 0.0000736)
    //             = sqrt(0.0001211) = 0.0110045...
    // 95% CI = 0.03 ± 1.96 · 0.0110045 = 0.03 ± 0.0215689 = [0.0084311, 0.0515689].
    expect(Math.abs(a.ci95Low! - 0.0084311)).toBeLessThan(1e-4);
    expect(Math.abs(a.ci95High! - 0.0515689)).toBeLessThan(1e-4);
    // Pooled p = (50 + 80) / 2000 = 0.065; pooled SE = sqrt(0.065 · 0.935 · (1/1000 + 1/1000))
    //          = sqrt(0.000121550) = 0.0110250...; z = 0.03 / 0.0110250 = 2.72110...
    // Two-sided p = 2 · (1 - Φ(2.72110)) = 2 · 0.0032533 = 0.0065066.
    expect(Math.abs(a.z! - 2.7211)).toBeLessThan(1e-4);
    expect(Math.abs(a.pValue! - 0.0065066)).toBeLessThan(1e-4);
    expect(a.pValue!).toBeCloseTo(0.0065066, 6);
  });

  it("reports the arms' rates and the incremental conversions and revenue", () => {
    const report = liftReport(ledger);
    expect(report.campaignId).toBe("spring");
    const [control, a] = report.arms;
    expect(control).toMatchObject({ arm: "control", contacts: 1000, conversionRate: 0.05, responseRate: 0.05, revenuePerContact: 2.5 });
    expect(a).toMatchObject({ arm: "A", contacts: 1000, conversionRate: 0.08, responseRate: 0.12, revenuePerContact: 4 });
    const lift = report.variants.find((v) => v.arm === "A")!;
    // (0.08 - 0.05) · 1000 = 30 conversions; (4 - 2.5) · 1000 = 1500 in revenue, +60% per contact.
    expect(lift.incrementalConversions).toBeCloseTo(30, 9);
    expect(lift.incrementalRevenue).toBeCloseTo(1500, 9);
    expect(lift.revenuePerContact).toEqual({ control: 2.5, variant: 4, absoluteLift: 1.5, relativeLift: 0.6 });
    // Responses: 120 / 1000 against 50 / 1000.
    expect(lift.responseRate.absoluteLift).toBeCloseTo(0.07, 12);
  });

  it("gives nulls, not NaN, for an arm without contacts, and keeps them through JSON", () => {
    const report = liftReport(ledger);
    const b = report.variants.find((v) => v.arm === "B")!;
    expect(report.arms[2]).toMatchObject({ conversionRate: null, responseRate: null, revenuePerContact: null });
    expect(b.conversionRate).toEqual({
      control: 0.05,
      variant: null,
      absoluteLift: null,
      relativeLift: null,
      ci95Low: null,
      ci95High: null,
      z: null,
      pValue: null,
    });
    expect(b.incrementalConversions).toBeNull();
    expect(b.incrementalRevenue).toBeNull();
    expect(b.revenuePerContact.absoluteLift).toBeNull();
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it("has no relative lift over a control rate of 0, and no test when neither arm varies", () => {
    const none = compareProportions(0, 500, 0, 500);
    expect(none.absoluteLift).toBe(0);
    expect(none.relativeLift).toBeNull();
    expect(none.z).toBeNull();
    expect(none.pValue).toBeNull();
    const some = compareProportions(5, 500, 0, 500);
    expect(some.relativeLift).toBeNull();
    expect(some.z).toBeGreaterThan(0);
    expect(some.pValue).toBeGreaterThan(0);
    expect(some.pValue).toBeLessThan(0.05);
  });

  it("gives a p-value of 1 for equal rates and a negative z when the variant does worse", () => {
    expect(compareProportions(30, 600, 10, 200).pValue).toBeCloseTo(1, 12);
    const worse = compareProportions(50, 1000, 80, 1000);
    expect(worse.z).toBeCloseTo(-2.7211, 4);
    expect(worse.pValue).toBeCloseTo(0.0065066, 6);
    expect(worse.ci95High!).toBeLessThan(0);
  });

  it("refuses counters without a control arm", () => {
    expect(() => liftReport({ campaignId: "x", arms: [arm("A", 10, 1, 0)] })).toThrow(/campaign "x" has no "control" arm/);
  });
});
