import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../config/loadConfig.js";
import { compileDecisionConfig, ConfigError, type CustomerState, type EventInput, type SegmentProfile } from "../../../engine/index.js";
import { Rng } from "../../../simulator/Rng.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

const CONFIG = `
segments:
  - id: high-value
    when: revenue >= 2000
  - id: app-first
    when: interactionsOn("app") > interactionsOn("web") + interactionsOn("callcenter")
  - id: happy-spenders
    when: revenue >= 1000 and lastNps >= 9
actions:
  - id: vip-offer
    kind: offer
    channels: [web]
    value: 10
  - id: spender-perk
    kind: offer
    channels: [web]
    value: 5
    eligibility: lookalike("happy-spenders") > 0.5
triggers:
  - id: lookalike-vip
    on: [web_visit]
    when: lookalike("high-value") > 0.5 and not inSegment("high-value")
    action: vip-offer
    channel: event
`;

const CUSTOMERS = 300;

/**
 * A synthetic base: about a third of the customers are of a "valuable" kind (longer
 * tenure, larger purchases of TVs and laptops, mostly on the app, promoters, no
 * complaints); the rest buy accessories and phones on the web and the call center,
 * answer NPS anywhere on the scale and complain now and then. The segments are rules
 * over attributes the profiles see, so their members differ from the base in known ways.
 */
function syntheticBase(seed: number): EventInput[] {
  const rng = new Rng(seed);
  const events: EventInput[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const customerId = `C${i}`;
    const valuable = rng.chance(0.35);
    const start = T0 - Math.round((valuable ? 200 + rng.next() * 600 : 5 + rng.next() * 400) * DAY);
    const at = () => Math.round(start + rng.next() * (T0 - start));
    const channel = () => (valuable ? (rng.chance(0.75) ? "app" : "web") : rng.chance(0.6) ? "web" : rng.chance(0.6) ? "callcenter" : "app");
    events.push(anEvent("signup", { customerId, ts: start, channel: channel() }));
    const purchases = valuable ? 2 + rng.int(4) : 1 + rng.int(3);
    for (let p = 0; p < purchases; p++) {
      const amount = valuable ? 300 + Math.round(rng.next() * 900) : 20 + Math.round(rng.next() * 280);
      const category = valuable ? rng.pick(["tv", "laptops"]) : rng.pick(["accessories", "phones"]);
      events.push(anEvent("purchase", { customerId, ts: at(), channel: channel(), amount, category, product: `${category}-${rng.int(5)}` }));
    }
    const score = valuable ? 8 + rng.int(3) : rng.int(11);
    events.push(anEvent("survey", { customerId, ts: at(), channel: channel(), survey: "nps", score }));
    if (!valuable && rng.chance(0.3)) events.push(anEvent("complaint", { customerId, ts: at(), channel: "callcenter", reason: "billing" }));
  }
  return events.sort((a, b) => a.ts - b.ts);
}

function driverWithBase(seed = 11): EngineDriver {
  const d = new EngineDriver({ yaml: CONFIG });
  // The wall clock ahead of every event time, so none is "in the future".
  d.clock.set(T0 + DAY);
  for (const event of syntheticBase(seed)) d.send(event);
  expect(d.rejected).toEqual([]);
  return d;
}

const statesOf = (d: EngineDriver) => Array.from({ length: CUSTOMERS }, (_, i) => d.engine.customerState(`C${i}`)!);

/** Customers per bin, counted by hand. */
function countBy<T extends string>(states: readonly CustomerState[], bin: (s: CustomerState) => T): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of states) counts[bin(s)] = (counts[bin(s)] ?? 0) + 1;
  return counts;
}

/** A profile's non-empty bins of one attribute, as counts. */
function profileCounts(profile: SegmentProfile, attribute: string): Record<string, number> {
  const bins = profile.attributes.find((a) => a.attribute === attribute)!.bins;
  return Object.fromEntries(bins.filter((b) => b.customers > 0).map((b) => [b.bin, b.customers]));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** Probability that a random member scores above a random non-member (ties count half). */
function auc(members: readonly number[], others: readonly number[]): number {
  let wins = 0;
  for (const m of members) for (const o of others) wins += m > o ? 1 : m === o ? 0.5 : 0;
  return wins / (members.length * others.length);
}

describe("segment profiles", () => {
  it("a segment's and the base's distributions equal a plain count over their customers", () => {
    const d = driverWithBase();
    const now = d.engine.watermark;
    const profiles = d.engine.segmentProfiles();
    const all = statesOf(d);
    const members = all.filter((s) => s.revenue >= 2000);
    expect(members.length).toBeGreaterThan(20);
    expect(members.length).toBeLessThan(CUSTOMERS / 2);

    const revenueBin = (s: CustomerState) =>
      s.revenue <= 0 ? "0 or less" : s.revenue < 100 ? "0-100" : s.revenue < 500 ? "100-500" : s.revenue < 2000 ? "500-2k" : s.revenue < 10000 ? "2k-10k" : "10k+";
    const npsClass = (s: CustomerState) => (Number.isNaN(s.nps.last) ? "unknown" : s.nps.last >= 9 ? "promoter" : s.nps.last >= 7 ? "passive" : "detractor");
    const mainChannel = (s: CustomerState) => {
      const counts = (["web", "app", "callcenter"] as const).map((c, i) => [c, s.eventsByChannel[[0, 1, 2][i]!]!] as const);
      return counts.reduce((best, next) => (next[1] > best[1] ? next : best))[0];
    };
    const complaints = (s: CustomerState) => (s.openComplaints > 0 ? "open" : s.complaints > 0 ? "resolved" : "none");
    const tenureDays = (s: CustomerState) => (now - s.signupTs) / DAY;
    const tenureBin = (s: CustomerState) => {
      const t = tenureDays(s);
      return t < 30 ? "<30d" : t < 90 ? "30-90d" : t < 180 ? "90-180d" : t < 365 ? "180d-1y" : t < 730 ? "1-2y" : "2y+";
    };

    for (const [id, customers] of [["high-value", members], ["base", all]] as const) {
      const profile = profiles.profile(id);
      expect(profile.customers).toBe(customers.length);
      expect(profile.baseCustomers).toBe(CUSTOMERS);
      expect(profile.asOf).toBe(now);
      expect(profile.computedAt).toBe(d.clock.now());
      expect(profileCounts(profile, "revenue")).toEqual(countBy(customers, revenueBin));
      expect(profileCounts(profile, "npsClass")).toEqual(countBy(customers, npsClass));
      expect(profileCounts(profile, "mainChannel")).toEqual(countBy(customers, mainChannel));
      expect(profileCounts(profile, "complaints")).toEqual(countBy(customers, complaints));
      expect(profileCounts(profile, "tenure")).toEqual(countBy(customers, tenureBin));
      // Shares are of the profile's customers.
      const bins = profile.attributes.find((a) => a.attribute === "npsClass")!.bins;
      expect(bins.reduce((sum, b) => sum + b.share, 0)).toBeCloseTo(1, 12);
      // Categories: the share of customers who bought in each.
      const tv = customers.filter((s) => s.categories.includes("tv")).length;
      expect(profile.categories.find((c) => c.category === "tv")).toEqual({ category: "tv", customers: tv, share: tv / customers.length });
      const revenues = customers.map((s) => s.revenue);
      expect(profile.summary.revenue.median).toBe(median(revenues));
      expect(profile.summary.revenue.mean).toBeCloseTo(revenues.reduce((a, b) => a + b, 0) / revenues.length, 9);
      expect(profile.summary.tenureDays.median).toBeCloseTo(median(customers.map(tenureDays)), 9);
      expect(profile.summary.purchases.median).toBe(median(customers.map((s) => s.purchases)));
    }
    expect(profiles.profile("high-value").shareOfBase).toBe(members.length / CUSTOMERS);
  });

  it("a comparison ranks the attribute that defines the segment first, with the two distributions side by side and the lift", () => {
    const d = driverWithBase();
    const profiles = d.engine.segmentProfiles();
    const appFirst = profiles.compare("app-first", "base");
    expect(appFirst.attributes[0]!.attribute).toBe("mainChannel");
    const app = appFirst.attributes[0]!.bins.find((b) => b.bin === "app")!;
    expect(app.a).toBe(1);
    expect(app.lift).toBeCloseTo(1 / app.b, 12);
    // The differences are in decreasing order and total variation distances (0 to 1).
    const differences = appFirst.attributes.map((a) => a.difference);
    expect([...differences].sort((x, y) => y - x)).toEqual(differences);
    expect(Math.max(...differences)).toBeLessThanOrEqual(1);

    // Value tier is a coarser cut of revenue: the two lead, ahead of everything else.
    const highValue = profiles.compare("high-value", "base");
    expect(highValue.attributes.slice(0, 2).map((a) => a.attribute).sort()).toEqual(["revenue", "valueTier"]);
    expect(highValue.a).toMatchObject({ segment: "high-value", customers: profiles.profile("high-value").customers });
    expect(highValue.b).toMatchObject({ segment: "base", customers: CUSTOMERS });

    // Any two segments compare; one against itself differs in nothing.
    expect(profiles.compare("happy-spenders", "app-first").attributes).toHaveLength(profiles.attributes.length + 1);
    expect(profiles.compare("app-first", "app-first").attributes.every((a) => a.difference === 0)).toBe(true);
    expect(() => profiles.compare("high-value", "nope")).toThrow(/unknown segment "nope"/);
  });

  it("the lookalike score separates members from non-members (AUC ≥ 0.9), and is the segment's share of the base before any profile", () => {
    const d = driverWithBase();
    const sizes = d.engine.segmentSizes();
    // No profile yet: the share of the base.
    const before = d.engine.lookalikeOf("C0")!;
    for (const size of sizes) expect(before[size.segment]).toBeCloseTo(size.size / CUSTOMERS, 12);

    expect(d.engine.refreshSegmentProfiles()).toBe(true);
    for (const segment of ["high-value", "app-first", "happy-spenders"]) {
      const members: number[] = [];
      const others: number[] = [];
      for (let i = 0; i < CUSTOMERS; i++) {
        const score = d.engine.lookalikeOf(`C${i}`)![segment]!;
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
        (d.engine.segmentsOf(`C${i}`)!.includes(segment) ? members : others).push(score);
      }
      expect(members.length).toBeGreaterThan(10);
      expect(auc(members, others), segment).toBeGreaterThanOrEqual(0.9);
    }
    expect(d.engine.lookalikeOf("nobody")).toBeUndefined();
  });

  it("lookalike() is usable in triggers and eligibility: they follow the score from the latest profile", () => {
    const d = driverWithBase();
    d.engine.refreshSegmentProfiles();
    const fired: string[] = [];
    const scores = new Map<string, number>();
    for (let i = 0; i < CUSTOMERS; i++) {
      const customerId = `C${i}`;
      const before = d.decisions.length;
      // At the watermark, so event time (and so the score) does not move.
      d.send(anEvent("web_visit", { customerId, ts: d.engine.watermark }));
      scores.set(customerId, d.engine.lookalikeOf(customerId)!["high-value"]!);
      if (d.decisions.length > before) fired.push(customerId);
    }
    const expected = [...scores].filter(([id, score]) => score > 0.5 && !d.engine.segmentsOf(id)!.includes("high-value")).map(([id]) => id);
    expect(expected.length).toBeGreaterThan(0);
    expect(fired).toEqual(expected);
    expect(d.decisions.every((decision) => decision.triggerId === "lookalike-vip")).toBe(true);

    const eligible = (customerId: string) => d.decide("web", { customerId }).actions.some((a) => a.actionId === "spender-perk");
    for (let i = 0; i < CUSTOMERS; i += 7) {
      expect(eligible(`C${i}`)).toBe(d.engine.lookalikeOf(`C${i}`)!["happy-spenders"]! > 0.5);
    }
  });

  it("a refresh spread over many calls gives the profiles of a full scan", () => {
    const d = driverWithBase();
    let calls = 1;
    while (!d.engine.refreshSegmentProfiles(40)) calls++;
    expect(calls).toBe(Math.ceil(CUSTOMERS / 40));
    expect(d.engine.segmentProfilesRefreshing).toBe(false);
    const sliced = d.engine.segmentProfiles().profile("happy-spenders");
    d.engine.refreshSegmentProfiles();
    expect(d.engine.segmentProfiles().profile("happy-spenders")).toEqual(sliced);
  });

  it("a rule naming an unknown segment in lookalike() is a load error naming it; segment rules may not use it; 'base' is reserved", () => {
    const compile = (yaml: string) => {
      const config = parseConfig(yaml, "test.yaml");
      return () => compileDecisionConfig(config.decisions, config.locate);
    };
    const withTrigger = (when: string) =>
      `segments:\n  - id: a\n    when: revenue > 1\nactions:\n  - id: x\n    kind: offer\n    channels: [web]\n    value: 1\ntriggers:\n  - id: t\n    on: [web_visit]\n    when: ${when}\n    action: x\n    channel: web\n`;
    expect(compile(withTrigger('lookalike("nope") > 0.5'))).toThrow(ConfigError);
    expect(compile(withTrigger('lookalike("nope") > 0.5'))).toThrow(/test\.yaml:12:\d+ .*unknown segment "nope"; lookalike may use: a/);
    expect(compile(withTrigger('lookalike("a") > 0.5'))).not.toThrow();
    expect(compile(withTrigger("lookalike(plan) > 0.5"))).toThrow(/the segment must be a constant string/);
    expect(compile(`segments:\n  - id: a\n    when: revenue > 1\n  - id: b\n    when: lookalike("a") > 0.5\n`)).toThrow(/not available in a segment's rule/);
    expect(compile(`segments:\n  - id: base\n    when: revenue > 1\n`)).toThrow(/segment id "base" is reserved/);
  });
});
