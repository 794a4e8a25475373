import { describe, expect, it } from "vitest";
import { probabilityAlive } from "../../../engine/models/BgNbd.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

/** Pearson correlation, the textbook way: what a point-biserial correlation must equal. */
function pearson(xs: readonly number[], ys: readonly number[]): number {
  const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

describe("profitability over the customers in memory", () => {
  // Twenty customers with profits 10, 20, ..., 200, and one whose cost to serve exceeds its revenue.
  const driver = new EngineDriver();
  for (let i = 1; i <= 20; i++) {
    driver.send(anEvent("signup", { customerId: `P${i}`, ts: T0 - 40 * DAY }));
    driver.send(anEvent("purchase", { customerId: `P${i}`, ts: T0 - 10 * DAY, amount: 20 * i, cost: 10 * i }));
  }
  driver.send(anEvent("signup", { customerId: "LOSS", ts: T0 - 40 * DAY }));
  driver.send(anEvent("service_call", { customerId: "LOSS", ts: T0 - 5 * DAY, cost: 90 }));
  driver.send(anEvent("signup", { customerId: "GONE", ts: T0 - 40 * DAY }));
  driver.send(anEvent("purchase", { customerId: "GONE", ts: T0 - 20 * DAY, amount: 500, cost: 100 }));
  driver.send(anEvent("cancel", { customerId: "GONE", ts: T0 - 2 * DAY }));
  const insight = driver.engine.profitability();
  const profits = [...Array.from({ length: 20 }, (_, i) => 10 * (i + 1)), -90, 400].sort((a, b) => b - a);
  const total = profits.reduce((a, b) => a + b, 0);

  it("cuts the customers ranked by profit into tenths, with each tenth's share of the total", () => {
    expect(insight.customers).toBe(22);
    expect(insight.profit).toBe(total);
    expect(insight.revenue - insight.cost).toBe(total);
    expect(insight.deciles).toHaveLength(10);
    expect(insight.deciles.reduce((sum, d) => sum + d.customers, 0)).toBe(22);
    expect(insight.deciles.reduce((sum, d) => sum + d.profit, 0)).toBe(total);
    // 22 customers: tenths of 2 or 3, cut at floor(k × 22 / 10).
    expect(insight.deciles[0]).toEqual({ decile: 1, customers: 2, profit: 600, minProfit: 200, maxProfit: 400, shareOfProfit: 600 / total });
    expect(insight.deciles[9]).toMatchObject({ decile: 10, customers: 3, profit: 10 + 20 - 90, minProfit: -90, maxProfit: 20 });
    expect(insight.unprofitableCustomers).toBe(1);
  });

  it("gives the share of profit from the top 10 % and the bottom 20 % of customers", () => {
    expect(insight.top10Share).toBeCloseTo((400 + 200 + 190) / total, 12); // ceil(22 / 10) = 3 customers
    expect(insight.bottom20Share).toBeCloseTo((-90 + 10 + 20 + 30 + 40) / total, 12); // ceil(22 / 5) = 5 customers
  });

  it("values each customer still in the base with the retention model, and a cancelled one at 0", () => {
    const valuation = driver.engine.valuation();
    const attrition = driver.engine.businessReport(30).customers.attritionRate!;
    expect(attrition).toBeCloseTo(1 / 22, 12); // GONE cancelled inside the 30 days
    expect(valuation.monthlyRetention).toBeCloseTo(1 - 1 / 22, 12);
    expect(valuation.monthlyDiscountRate).toBeCloseTo(1.1 ** (1 / 12) - 1, 12);
    const profile = driver.engine.profile("P20")!;
    const months = Math.max(1, profile.lifecycle.tenureDays / 30.4375);
    const r = valuation.monthlyRetention;
    expect(profile.behaviour.monthlyProfit).toBeCloseTo(200 / months, 9);
    expect(profile.behaviour.lifetimeValue).toBeCloseTo(((200 / months) * r) / (1 + valuation.monthlyDiscountRate - r), 9);
    expect(driver.engine.profile("GONE")!.behaviour.lifetimeValue).toBe(0);
    expect(insight.lifetimeValue.total).toBeCloseTo(
      [...Array.from({ length: 20 }, (_, i) => `P${i + 1}`), "LOSS"].reduce((sum, id) => sum + driver.engine.profile(id)!.behaviour.lifetimeValue, 0),
      6,
    );
    expect(insight.lifetimeValue.median).not.toBeNull();
  });

  it("answers an empty base with no shares rather than NaN", () => {
    const empty = new EngineDriver().engine.profitability();
    expect(empty).toMatchObject({ customers: 0, profit: 0, deciles: [], top10Share: null, bottom20Share: null });
    expect(empty.lifetimeValue.mean).toBeNull();
  });
});

describe("drivers of detractor status", () => {
  // Detractors call the service line more and complain; purchases do not differ by answer.
  const driver = new EngineDriver();
  const calls: number[] = [];
  const detractor: number[] = [];
  const events: ReturnType<typeof anEvent>[] = [];
  for (let i = 0; i < 200; i++) {
    const customerId = `D${i}`;
    const isDetractor = i % 4 === 0;
    const serviceCalls = isDetractor ? 2 + (i % 3) : i % 2;
    for (let c = 0; c < serviceCalls; c++) events.push(anEvent("service_call", { customerId, ts: T0 - (10 - c) * DAY }));
    if (isDetractor && i % 8 === 0) events.push(anEvent("complaint", { customerId, ts: T0 - 3 * DAY }));
    events.push(anEvent("purchase", { customerId, ts: T0 - 2 * DAY, amount: 50 + (i % 5), product: "p", category: "c" }));
    events.push(anEvent("survey", { customerId, ts: T0 - DAY, survey: "nps", score: isDetractor ? 3 : 9 }));
    calls.push(serviceCalls);
    detractor.push(isDetractor ? 1 : 0);
  }
  events.push(anEvent("purchase", { customerId: "NO-ANSWER", ts: T0 - DAY, amount: 10 }));
  // In time order, so every event lands in its customer's windows.
  for (const event of events.sort((a, b) => a.ts - b.ts)) driver.send(event);
  expect(driver.rejected).toEqual([]);
  const insight = driver.engine.detractorDrivers();

  it("count the customers with an answer and the detractors among them", () => {
    expect(insight).toMatchObject({ answered: 200, detractors: 50 });
    expect(insight.method).toMatch(/point-biserial/);
  });

  it("rank the behaviours by how strongly they move with being a detractor, equal to the textbook correlation", () => {
    const byName = new Map(insight.drivers.map((d) => [d.feature, d]));
    const serviceCalls = byName.get("serviceCalls30d")!;
    expect(serviceCalls.correlation).toBeCloseTo(pearson(calls, detractor), 9);
    expect(serviceCalls.detractorMean).toBeGreaterThan(serviceCalls.othersMean);
    expect(serviceCalls.customers).toBe(200);
    // Among the strongest, with the decisions the default triggers made for detractors and complainers.
    expect(insight.drivers.slice(0, 3).map((d) => d.feature)).toContain("serviceCalls30d");
    expect(Math.abs(byName.get("revenue30d")!.correlation)).toBeLessThan(0.2);
    expect(byName.get("complaints")!.correlation).toBeGreaterThan(0.3);
    const strengths = insight.drivers.map((d) => Math.abs(d.correlation));
    expect(strengths).toEqual([...strengths].sort((a, b) => b - a));
    // A behaviour every customer shares says nothing: left out, not reported as 0 or NaN.
    expect(byName.has("channelsUsed")).toBe(false);
    expect(insight.drivers.every((d) => Number.isFinite(d.correlation))).toBe(true);
  });
});

describe("probability-alive over the purchasers", () => {
  const yaml = "metrics:\n  probabilityAlive: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, threshold: 0.5 }\n";
  const WEEK = 7 * DAY;
  const driver = new EngineDriver({ yaml });
  // STEADY bought every 2 weeks until 2 weeks ago; FADED bought 3 times early, then 30 weeks of silence.
  const events = [
    ...Array.from({ length: 10 }, (_, i) => anEvent("purchase", { customerId: "STEADY", ts: T0 - (22 - 2 * i) * WEEK })),
    ...[40, 39, 38].map((weeks) => anEvent("purchase", { customerId: "FADED", ts: T0 - weeks * WEEK })),
    anEvent("purchase", { customerId: "ONCE", ts: T0 - 20 * WEEK }),
    anEvent("purchase", { customerId: "GONE", ts: T0 - 12 * WEEK }),
    anEvent("purchase", { customerId: "GONE", ts: T0 - 10 * WEEK }),
    anEvent("cancel", { customerId: "GONE", ts: T0 - 5 * WEEK }),
    anEvent("web_visit", { customerId: "BROWSER", ts: T0 }),
  ].sort((a, b) => a.ts - b.ts);
  for (const event of events) driver.send(event);
  const model = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

  it("takes every event", () => expect(driver.rejected).toEqual([]));

  it("puts each purchaser's probability in its 360 view, from its own repeat purchases and age in weeks", () => {
    const alive = (id: string) => driver.engine.profile(id)!.behaviour.probabilityAlive;
    expect(alive("STEADY")).toBeCloseTo(probabilityAlive(model, { x: 9, tx: 18, T: 22 }), 12);
    expect(alive("FADED")).toBeCloseTo(probabilityAlive(model, { x: 2, tx: 2, T: 40 }), 12);
    // With these (CDNOW) parameters, two weeks of silence after buying every two weeks is 0.74; thirty-eight, 0.05.
    expect(alive("STEADY")!).toBeGreaterThan(0.7);
    expect(alive("FADED")!).toBeLessThan(0.1);
    expect(alive("ONCE")).toBe(1);
    expect(alive("GONE")).toBe(0);
    expect(alive("BROWSER")).toBeNull();
  });

  it("sums them into the expected number of active purchasers and counts those below the threshold as lost", () => {
    const insight = driver.engine.probabilityAlive()!;
    const each = ["STEADY", "FADED", "ONCE", "GONE"].map((id) => driver.engine.profile(id)!.behaviour.probabilityAlive!);
    expect(insight.purchasers).toBe(4);
    expect(insight.expectedAlive).toBeCloseTo(each.reduce((a, b) => a + b, 0), 12);
    expect(insight.belowThreshold).toBe(2); // FADED and GONE
    expect(insight.lostShare).toBe(0.5);
    expect(insight.distribution.reduce((a, b) => a + b, 0)).toBe(4);
    expect(insight.distribution[9]).toBe(1); // ONCE
    expect(insight.distribution[7]).toBe(1); // STEADY
    expect(insight.model.threshold).toBe(0.5);
  });

  it("is absent without a configured model", () => {
    expect(new EngineDriver().engine.probabilityAlive()).toBeNull();
  });
});

describe("an insights scan in slices", () => {
  function base(): EngineDriver {
    const d = new EngineDriver({ settings: { maxCustomers: 1_000, hotCustomers: 5 } });
    for (let i = 1; i <= 40; i++) {
      d.send(anEvent("purchase", { customerId: `S${i}`, ts: T0 - i * DAY, amount: 10 * i, cost: 3 * i }));
      d.send(anEvent("survey", { customerId: `S${i}`, ts: T0 - i * DAY + 1, survey: "nps", score: i % 11 }));
      if (i % 10 === 0) {
        const cut = d.engine.beginCheckpoint();
        for (const customerId of cut.customerIds) d.engine.captureCustomer(cut, customerId);
        d.engine.commitCheckpoint(cut);
      }
    }
    return d;
  }

  it("answers nothing before its last slice, then what one whole scan answers, packed customers included", () => {
    const d = base();
    expect(d.engine.customersPacked).toBe(35);
    const scan = d.engine.scanInsights(["profitability", "detractorDrivers", "probabilityAlive"]);
    let slices = 1;
    let insights = scan.step(7);
    for (; insights === null; slices++) insights = scan.step(7);
    expect(slices).toBe(6);
    expect(insights.profitability).toEqual(d.engine.profitability());
    expect(insights.profitability!.customers).toBe(40);
    expect(insights.profitability!.revenue).toBe(10 * ((40 * 41) / 2));
    expect(insights.detractorDrivers).toEqual(d.engine.detractorDrivers());
    expect(insights.probabilityAlive).toBeNull();
    expect(d.engine.customersUnpacked).toBe(0);
  });
});
