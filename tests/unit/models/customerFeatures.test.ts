import { describe, expect, it } from "vitest";
import { CUSTOMER_FEATURE_COUNT, customerFeatures } from "../../../engine/models/customerFeatures.js";
import { FeatureKind, FeatureVector } from "../../../engine/models/FeatureVector.js";
import { FtrlLogistic } from "../../../engine/models/FtrlLogistic.js";
import { DAY, LIFECYCLE, StateDriver, T0 } from "../state/stateFixtures.js";

describe("customerFeatures", () => {
  it("fills every feature of a customer, with missing indicators for what never happened", () => {
    const driver = new StateDriver();
    driver.apply("purchase", { amount: 40, product: "p1", category: "c1", ts: T0 });
    const x = customerFeatures(driver.state, T0 + 3 * DAY, LIFECYCLE, new FeatureVector(14, CUSTOMER_FEATURE_COUNT));
    expect(x.length).toBe(CUSTOMER_FEATURE_COUNT);
    const numeric = Array.from(x.kinds.subarray(0, x.length)).filter((kind) => kind === FeatureKind.numeric).length;
    // Never complained, declined or answered a survey: 2 times-since and 5 survey scores are missing indicators.
    expect(numeric).toBe(CUSTOMER_FEATURE_COUNT - 1 - 6 - 7);
    expect(Array.from(x.values.subarray(0, x.length))).toContain(3);
  });

  it("gives the same vector for the same state and time, and another once the customer changes", () => {
    const driver = new StateDriver();
    driver.apply("web_visit", { page: "/", ts: T0 });
    const a = customerFeatures(driver.state, T0 + DAY, LIFECYCLE, new FeatureVector(14, CUSTOMER_FEATURE_COUNT));
    const b = customerFeatures(driver.state, T0 + DAY, LIFECYCLE, new FeatureVector(14, CUSTOMER_FEATURE_COUNT));
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    driver.apply("complaint", { reason: "billing", ts: T0 + DAY });
    customerFeatures(driver.state, T0 + DAY, LIFECYCLE, b);
    expect(Array.from(b.indices)).not.toEqual(Array.from(a.indices));
  });

  it("feeds a model that learns which customers respond", () => {
    const model = new FtrlLogistic({ bits: 12 });
    const x = new FeatureVector(12, CUSTOMER_FEATURE_COUNT);
    const complainer = new StateDriver();
    complainer.apply("complaint", { reason: "billing", ts: T0 });
    const buyer = new StateDriver();
    buyer.apply("purchase", { amount: 90, product: "p1", category: "c1", ts: T0 });
    for (let i = 0; i < 2_000; i++) {
      model.update(customerFeatures(complainer.state, T0 + DAY, LIFECYCLE, x), 1);
      model.update(customerFeatures(buyer.state, T0 + DAY, LIFECYCLE, x), 0);
    }
    expect(model.predict(customerFeatures(complainer.state, T0 + DAY, LIFECYCLE, x))).toBeGreaterThan(0.95);
    expect(model.predict(customerFeatures(buyer.state, T0 + DAY, LIFECYCLE, x))).toBeLessThan(0.05);
  });
});
