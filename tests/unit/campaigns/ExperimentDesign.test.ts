import { describe, expect, it } from "vitest";
import { CONTROL_ARM, ExperimentDesign, type VariantSpec } from "../../../engine/campaigns/ExperimentDesign.js";

const AB: readonly VariantSpec[] = [
  { id: "A", weight: 1 },
  { id: "B", weight: 1 },
];
const N = 100_000;
/** Sequential ids, the hardest case for a hash: they differ in their last characters only. */
const customers = Array.from({ length: N }, (_, i) => `cust-${i}`);

/** Customers per arm index over `customers`. */
function counts(design: ExperimentDesign): number[] {
  const n = design.arms.map(() => 0);
  for (const id of customers) n[design.armIndex(id)]!++;
  return n;
}

/** |observed share - p| in standard errors of a share of N draws. */
function standardErrors(count: number, p: number): number {
  return Math.abs(count / N - p) / Math.sqrt((p * (1 - p)) / N);
}

describe("ExperimentDesign", () => {
  it("lays out the control first, then the variants in id order, with their probabilities", () => {
    const design = new ExperimentDesign("spring", 0.2, [
      { id: "B", weight: 3 },
      { id: "A", weight: 1 },
    ]);
    expect(design.arms.map((a) => a.arm)).toEqual([CONTROL_ARM, "A", "B"]);
    expect(design.arms.map((a) => a.index)).toEqual([0, 1, 2]);
    // 0.2 held out; 0.8 split 1:3.
    expect(design.arms.map((a) => a.probability)).toEqual([0.2, 0.2, 0.8 * 0.75]);
  });

  it("rejects invalid designs with a RangeError naming the problem", () => {
    expect(() => new ExperimentDesign("", 0.1, AB)).toThrow(/campaign id must be a non-empty string/);
    expect(() => new ExperimentDesign("c", -0.1, AB)).toThrow(/campaign "c": control share .* got -0.1/);
    expect(() => new ExperimentDesign("c", 1, AB)).toThrow(/control share .* got 1/);
    expect(() => new ExperimentDesign("c", Number.NaN, AB)).toThrow(/control share .* got NaN/);
    expect(() => new ExperimentDesign("c", 0.1, [])).toThrow(/at least one variant/);
    expect(() => new ExperimentDesign("c", 0.1, [{ id: "A", weight: 0 }])).toThrow(/variant "A" must have a positive weight, got 0/);
    expect(() => new ExperimentDesign("c", 0.1, [{ id: "A", weight: -2 }])).toThrow(/variant "A" must have a positive weight/);
    expect(() => new ExperimentDesign("c", 0.1, [{ id: "A", weight: Infinity }])).toThrow(/positive weight, got Infinity/);
    expect(() => new ExperimentDesign("c", 0.1, [{ id: "A", weight: 1 }, { id: "A", weight: 2 }])).toThrow(/duplicate variant id "A"/);
    expect(() => new ExperimentDesign("c", 0.1, [{ id: "control", weight: 1 }])).toThrow(/cannot be a variant id/);
    expect(() => new ExperimentDesign("c", 0.1, [{ id: "", weight: 1 }])).toThrow(/variant id must be a non-empty string/);
    expect(() => new ExperimentDesign("c", 0, [{ id: "A", weight: 0.5 }])).not.toThrow();
  });

  it("is frozen, and hands out its own arm objects rather than new ones", () => {
    const design = new ExperimentDesign("spring", 0.1, AB);
    expect(Object.isFrozen(design)).toBe(true);
    expect(Object.isFrozen(design.arms)).toBe(true);
    expect(Object.isFrozen(design.arms[1])).toBe(true);
    const arm = design.assign("cust-7");
    expect(design.assign("cust-7")).toBe(arm);
    expect(design.arms).toContain(arm);
    expect(arm.probability).toBe(design.arms[arm.index]!.probability);
  });

  it("keeps every customer's point where it is (pinned: a new hash would move customers between arms mid-experiment)", () => {
    const design = new ExperimentDesign("spring", 0.1, AB);
    expect(design.bucket("cust-0")).toBe(PINNED["cust-0"]);
    expect(design.bucket("cust-1")).toBe(PINNED["cust-1"]);
    expect(design.bucket("42")).toBe(PINNED["42"]);
  });

  it("assigns the same arm across fresh instances (a restart) and whatever the order of the calls", () => {
    const first = new ExperimentDesign("spring", 0.1, AB);
    const arms = customers.slice(0, 10_000).map((id) => first.assign(id).arm);
    const restarted = new ExperimentDesign("spring", 0.1, AB);
    const order = customers.slice(0, 10_000).map((_, i) => i);
    // A fixed shuffle (multiplication by a unit mod 10,000) visits every customer once, out of order.
    const shuffled = order.map((i) => (i * 7919 + 13) % 10_000);
    for (const i of shuffled) expect(restarted.assign(customers[i]!).arm).toBe(arms[i]);
    // The listing order of the variants in the configuration moves nobody.
    const relisted = new ExperimentDesign("spring", 0.1, [...AB].reverse());
    for (let i = 0; i < 10_000; i++) expect(relisted.assign(customers[i]!).arm).toBe(arms[i]);
  });

  it("only moves customers from the variants into the control when the control share is raised", () => {
    const low = new ExperimentDesign("spring", 0.1, AB);
    const high = new ExperimentDesign("spring", 0.3, AB);
    let moved = 0;
    for (const id of customers.slice(0, 10_000)) {
      const before = low.assign(id).arm;
      const after = high.assign(id).arm;
      if (before === CONTROL_ARM) expect(after).toBe(CONTROL_ARM);
      else if (after !== before) {
        expect(after).toBe(CONTROL_ARM);
        moved++;
      }
    }
    expect(moved).toBeGreaterThan(1_500);
  });

  it("moves nobody into or out of the control when the variants are re-weighted", () => {
    const even = new ExperimentDesign("spring", 0.1, AB);
    const skewed = new ExperimentDesign("spring", 0.1, [
      { id: "A", weight: 1 },
      { id: "B", weight: 9 },
      { id: "C", weight: 2 },
    ]);
    let changed = 0;
    for (const id of customers.slice(0, 10_000)) {
      const before = even.assign(id).arm;
      const after = skewed.assign(id).arm;
      expect(after === CONTROL_ARM).toBe(before === CONTROL_ARM);
      if (after !== before) changed++;
    }
    expect(changed).toBeGreaterThan(1_000);
  });

  it.each([0.1, 0.5])("holds out a control share within 4 standard errors of %s over 100,000 customers", (share) => {
    const design = new ExperimentDesign("spring", share, AB);
    const n = counts(design);
    expect(standardErrors(n[0]!, share)).toBeLessThanOrEqual(4);
    // The treated split 1:1.
    expect(standardErrors(n[1]!, (1 - share) / 2)).toBeLessThanOrEqual(4);
    expect(standardErrors(n[2]!, (1 - share) / 2)).toBeLessThanOrEqual(4);
  });

  it("splits the treated customers by weight within 4 standard errors", () => {
    const design = new ExperimentDesign("summer", 0.2, [
      { id: "A", weight: 1 },
      { id: "B", weight: 3 },
    ]);
    const n = counts(design);
    expect(standardErrors(n[0]!, 0.2)).toBeLessThanOrEqual(4);
    expect(standardErrors(n[1]!, 0.2)).toBeLessThanOrEqual(4);
    expect(standardErrors(n[2]!, 0.6)).toBeLessThanOrEqual(4);
    expect(n[0]! + n[1]! + n[2]!).toBe(N);
    // The variant does not follow the first point: among the treated whose first point is in
    // the lower and in the upper half of [0.2, 1), A still gets a quarter.
    const lower = [0, 0];
    const upper = [0, 0];
    for (const id of customers) {
      const arm = design.armIndex(id);
      if (arm === 0) continue;
      const half = design.bucket(id) < 0.6 ? lower : upper;
      half[0]!++;
      if (arm === 1) half[1]!++;
    }
    for (const [treated, a] of [lower, upper]) {
      expect(Math.abs(a! / treated! - 0.25) / Math.sqrt((0.25 * 0.75) / treated!)).toBeLessThanOrEqual(4);
    }
  });

  it("never assigns a control with share 0", () => {
    const design = new ExperimentDesign("spring", 0, AB);
    expect(counts(design)[0]).toBe(0);
  });

  it("assigns two campaigns independently (chi-square of the 2x2 table, correlation of the points)", () => {
    const spring = new ExperimentDesign("spring", 0.5, [{ id: "A", weight: 1 }]);
    const summer = new ExperimentDesign("summer", 0.5, [{ id: "A", weight: 1 }]);
    const table = [
      [0, 0],
      [0, 0],
    ];
    let sx = 0;
    let sy = 0;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (const id of customers) {
      table[spring.armIndex(id)]![summer.armIndex(id)]!++;
      const x = spring.bucket(id);
      const y = summer.bucket(id);
      sx += x;
      sy += y;
      sxy += x * y;
      sxx += x * x;
      syy += y * y;
    }
    let chiSquare = 0;
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 2; c++) {
        const expected = ((table[r]![0]! + table[r]![1]!) * (table[0]![c]! + table[1]![c]!)) / N;
        chiSquare += (table[r]![c]! - expected) ** 2 / expected;
      }
    }
    // 10.83 is the 0.999 quantile of chi-square with 1 degree of freedom.
    expect(chiSquare).toBeLessThan(10.83);
    const correlation = (N * sxy - sx * sy) / Math.sqrt((N * sxx - sx * sx) * (N * syy - sy * sy));
    // Under independence the sample correlation has a standard error of about 1/sqrt(N).
    expect(Math.abs(correlation)).toBeLessThan(4 / Math.sqrt(N));
  });

  it("scatters similar ids: consecutive ids are as far apart as independent uniform points (mean gap 1/3)", () => {
    const design = new ExperimentDesign("spring", 0.1, AB);
    let gaps = 0;
    for (let i = 1; i < N; i++) gaps += Math.abs(design.bucket(customers[i]!) - design.bucket(customers[i - 1]!));
    // |U - V| of independent uniforms has mean 1/3 and standard deviation sqrt(1/18); the mean of
    // N - 1 (weakly dependent) gaps is well within 0.01 of 1/3. FNV-1a without
    // the finalizer gives 0.04 here (and a correlation of 0.03 between two campaigns, 10 times the bound above).
    expect(Math.abs(gaps / (N - 1) - 1 / 3)).toBeLessThan(0.01);
  });
});

const PINNED: Record<string, number> = {
  "cust-0": 0.4881248085293919,
  "cust-1": 0.8589010189753026,
  "42": 0.11806551832705736,
};
