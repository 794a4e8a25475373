import { pack, unpack } from "msgpackr";
import { describe, expect, it } from "vitest";
import { FeatureVector } from "../../../engine/models/FeatureVector.js";
import { FtrlLogistic, type FtrlSnapshot } from "../../../engine/models/FtrlLogistic.js";
import { ModelQuality } from "../../../engine/models/ModelQuality.js";
import { SyntheticLogistic } from "../../helpers/syntheticLogistic.js";

/** Learns `trainRows` rows of the seed's stream, then scores `testRows` more without learning, beside the true probabilities. */
function learnAndTest(seed: number, trainRows: number, testRows: number) {
  const truth = new SyntheticLogistic(seed);
  const model = new FtrlLogistic({ baseRate: 0.15 });
  const x = new FeatureVector(model.bits);
  for (let i = 0; i < trainRows; i++) {
    const row = truth.next();
    model.update(truth.features(row, x), row.label);
  }
  const learned = new ModelQuality(testRows);
  const known = new ModelQuality(testRows);
  for (let i = 0; i < testRows; i++) {
    const row = truth.next();
    learned.observe(model.predict(truth.features(row, x)), row.label);
    known.observe(row.probability, row.label);
  }
  return { model, learned: learned.report(), known: known.report() };
}

describe("FtrlLogistic", () => {
  it.each([1, 2, 3])("learns a known logistic model (seed %i): test AUC within 0.02 of the true model's, ECE over deciles at most 0.05", (seed) => {
    const { learned, known } = learnAndTest(seed, 80_000, 20_000);
    expect(known.auc).toBeGreaterThan(0.8);
    expect(Math.abs(learned.auc - known.auc)).toBeLessThanOrEqual(0.02);
    expect(learned.ece).toBeLessThanOrEqual(0.05);
    // Within 1 % of the truth's log loss too: the probabilities, not only their order, are learned.
    expect(learned.logLoss).toBeLessThan(known.logLoss * 1.01);
  });

  it("predicts its prior's base rate before it has learned anything, whatever the features", () => {
    const truth = new SyntheticLogistic(4);
    const model = new FtrlLogistic({ baseRate: 0.12 });
    const x = new FeatureVector(model.bits);
    for (let i = 0; i < 5; i++) expect(model.predict(truth.features(truth.next(), x))).toBeCloseTo(0.12, 12);
    expect(new FtrlLogistic().predict(x)).toBe(0.5);
  });

  it("moves from the prior towards the observed rate when all it learns is the bias", () => {
    const model = new FtrlLogistic({ baseRate: 0.5 });
    const x = new FeatureVector(model.bits);
    for (let i = 0; i < 20_000; i++) model.update(x, i % 10 === 0 ? 1 : 0);
    expect(model.predict(x)).toBeGreaterThan(0.08);
    expect(model.predict(x)).toBeLessThan(0.12);
    expect(model.updates).toBe(20_000);
    expect(model.positives).toBe(2_000);
  });

  it("restores from a msgpackr round trip of its snapshot with identical predictions, and learns on identically", () => {
    const truth = new SyntheticLogistic(5);
    const model = new FtrlLogistic({ baseRate: 0.2, bits: 12 });
    const x = new FeatureVector(model.bits);
    for (let i = 0; i < 3_000; i++) {
      const row = truth.next();
      model.update(truth.features(row, x), row.label);
    }
    const snapshot = model.toSnapshot();
    // Sparse: only the slots the stream's features reached.
    expect(snapshot.slots.length).toBeLessThan(100);
    const restored = FtrlLogistic.fromSnapshot(unpack(pack(snapshot)) as FtrlSnapshot);
    expect(restored.updates).toBe(3_000);
    expect(restored.positives).toBe(model.positives);
    for (let i = 0; i < 500; i++) {
      const row = truth.next();
      truth.features(row, x);
      expect(restored.predict(x)).toBe(model.predict(x));
      model.update(x, row.label);
      restored.update(x, row.label);
    }
  });

  it("keeps a snapshot apart from the model's later learning", () => {
    const model = new FtrlLogistic({ bits: 8 });
    const x = new FeatureVector(model.bits);
    x.addNumeric(FeatureVector.seed("a"), 1);
    const before = model.toSnapshot();
    model.update(x, 1);
    expect(FtrlLogistic.fromSnapshot(before).predict(x)).toBe(0.5);
    expect(model.predict(x)).toBeGreaterThan(0.5);
  });

  it("learns from a feature vector kept from decision time, not the state at label time", () => {
    // The label says what the feature was at decision time: a copy taken then keeps it.
    const model = new FtrlLogistic({ bits: 10 });
    const live = new FeatureVector(model.bits);
    const kept = new FeatureVector(model.bits);
    const seed = FeatureVector.seed("segment");
    for (let i = 0; i < 4_000; i++) {
      live.clear();
      live.addCategorical(seed, i % 2 === 0 ? "a" : "b");
      kept.copyFrom(live);
      live.clear();
      live.addCategorical(seed, "changed-since");
      model.update(kept, i % 2 === 0 ? 1 : 0);
    }
    kept.clear();
    kept.addCategorical(seed, "a");
    expect(model.predict(kept)).toBeGreaterThan(0.9);
    kept.clear();
    kept.addCategorical(seed, "b");
    expect(model.predict(kept)).toBeLessThan(0.1);
  });

  it("fits in about 1 MB with the default bits, and refuses nonsense hyperparameters", () => {
    const before = process.memoryUsage().arrayBuffers;
    const models = Array.from({ length: 10 }, () => new FtrlLogistic());
    const perModel = (process.memoryUsage().arrayBuffers - before) / models.length;
    expect(perModel).toBeGreaterThan(0);
    expect(perModel).toBeLessThanOrEqual(1 << 20);
    expect(() => new FtrlLogistic({ baseRate: 1 })).toThrow("baseRate must be strictly between 0 and 1");
    expect(() => new FtrlLogistic({ alpha: 0 })).toThrow("alpha must be a positive number");
    expect(() => new FtrlLogistic({ l1: -1 })).toThrow("l1 must be a number of at least 0");
  });
});
