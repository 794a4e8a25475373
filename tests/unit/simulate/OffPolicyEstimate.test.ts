import { describe, expect, it } from "vitest";
import { OffPolicyEstimate } from "../../../cli/simulate/OffPolicyEstimate.js";

describe("OffPolicyEstimate", () => {
  it("gives the IPS and doubly-robust totals and intervals of a hand-computed example", () => {
    const estimate = new OffPolicyEstimate();
    const none = { matched: false, response: 0, revenuePerResponse: 0 };
    // p, outcome, the reward model at the logged action, and the strategy's choice.
    estimate.add({ probability: 0.5, responded: true, revenue: 10, loggedResponse: 0.4, loggedRevenuePerResponse: 20 }, { matched: true, response: 0.4, revenuePerResponse: 20 });
    estimate.add({ probability: 0.25, responded: false, revenue: 0, loggedResponse: 0.2, loggedRevenuePerResponse: 20 }, { matched: false, response: 0.6, revenuePerResponse: 10 });
    estimate.add({ probability: 0.75, responded: true, revenue: 30, loggedResponse: 0.5, loggedRevenuePerResponse: 20 }, { matched: true, response: 0.5, revenuePerResponse: 20 });
    estimate.add({ probability: 1, responded: false, revenue: 0, loggedResponse: 0.1, loggedRevenuePerResponse: 5 }, none);

    expect(estimate.moments).toBe(4);
    expect(estimate.matched).toBe(2);
    // IPS terms 2, 0, 4/3, 0: total 10/3; sample variance 1, so the mean's SE is 0.5 and the total's half-width 4 x 1.96 x 0.5.
    expect(estimate.ipsResponses().total).toBeCloseTo(10 / 3, 12);
    expect(estimate.ipsResponses().halfWidth95).toBeCloseTo(4 * 1.959963984540054 * 0.5, 12);
    // 2 x 10 + 4/3 x 30.
    expect(estimate.ipsRevenue().total).toBeCloseTo(60, 12);
    // DR terms: 0.4 + 2(1 - 0.4), 0.6, 0.5 + (4/3)(1 - 0.5), 0.
    expect(estimate.drResponses().total).toBeCloseTo(1.6 + 0.6 + 0.5 + 2 / 3, 12);
    // Revenue: 0.4x20 + 2(10 - 0.4x20), 0.6x10, 0.5x20 + (4/3)(30 - 0.5x20), 0.
    expect(estimate.drRevenue().total).toBeCloseTo(12 + 6 + 10 + 80 / 3, 12);
  });

  it("has nothing to say without moments", () => {
    expect(new OffPolicyEstimate().drResponses()).toEqual({ total: 0, halfWidth95: 0 });
  });
});
