import { pack, unpack } from "msgpackr";
import { describe, expect, it } from "vitest";
import { ModelQuality, type ModelQualitySnapshot } from "../../../engine/models/ModelQuality.js";

function quality(pairs: readonly (readonly [number, 0 | 1])[], capacity = 100): ModelQuality {
  const q = new ModelQuality(capacity);
  for (const [p, y] of pairs) q.observe(p, y);
  return q;
}

describe("ModelQuality", () => {
  it("computes the AUC with tied predictions counted as half", () => {
    // Positives at 0.8, 0.6, 0.4; negatives at 0.6, 0.3, 0.2. Of the 9 (positive, negative)
    // pairs: 0.8 beats all 3, 0.6 beats 2 and ties 1, 0.4 beats 2: (3 + 2.5 + 2) / 9.
    const q = quality([[0.8, 1], [0.6, 1], [0.4, 1], [0.6, 0], [0.3, 0], [0.2, 0]]);
    expect(q.report().auc).toBeCloseTo(7.5 / 9, 12);
  });

  it("gives an AUC of 0.5 when every prediction is the same, and NaN with one class only", () => {
    expect(quality([[0.3, 1], [0.3, 0], [0.3, 0], [0.3, 1]]).report().auc).toBe(0.5);
    expect(quality([[0.3, 1], [0.4, 1]]).report().auc).toBeNaN();
    expect(new ModelQuality().report().logLoss).toBeNaN();
  });

  it("computes the mean log loss, a certain miss costing a bounded amount", () => {
    const q = quality([[0.9, 1], [0.2, 0], [0.5, 1]]);
    expect(q.report().logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.5)) / 3, 12);
    const miss = quality([[0, 1]]).report().logLoss;
    expect(miss).toBeGreaterThan(30);
    expect(Number.isFinite(miss)).toBe(true);
  });

  it("splits the window into deciles of predicted probability with their observed rates and the ECE", () => {
    // 100 pairs, predictions 0.005, 0.015, ... ; in each decile the first k of 10 are positive, k = decile.
    const pairs: [number, 0 | 1][] = [];
    for (let i = 0; i < 100; i++) pairs.push([(i + 0.5) / 100, i % 10 < Math.floor(i / 10) ? 1 : 0]);
    const report = quality(pairs, 100).report();
    expect(report.calibration).toHaveLength(10);
    report.calibration.forEach((bin, d) => {
      expect(bin.count).toBe(10);
      expect(bin.meanPredicted).toBeCloseTo((d * 10 + 5) / 100, 12);
      expect(bin.observedRate).toBeCloseTo(d / 10, 12);
    });
    // Every decile's mean prediction is 0.05 above its observed rate.
    expect(report.ece).toBeCloseTo(0.05, 12);
    expect(report.positives).toBe(45);
  });

  it("forgets the oldest pairs once the window is full, but counts all the evidence", () => {
    const q = new ModelQuality(4);
    // Old pairs ranked backwards; the last four perfectly.
    for (const [p, y] of [[0.9, 0], [0.1, 1], [0.8, 0], [0.2, 1]] as const) q.observe(p, y);
    expect(q.report().auc).toBe(0);
    for (const [p, y] of [[0.7, 1], [0.6, 1], [0.3, 0], [0.4, 0]] as const) q.observe(p, y);
    const report = q.report();
    expect(report.auc).toBe(1);
    expect(report.count).toBe(4);
    expect(report.positives).toBe(2);
    expect(report.total).toBe(8);
    expect(report.totalPositives).toBe(4);
  });

  it("restores from its snapshot with the same figures and the same next pair to forget", () => {
    const q = new ModelQuality(3);
    for (const [p, y] of [[0.2, 0], [0.7, 1], [0.4, 0], [0.9, 1]] as const) q.observe(p, y);
    const restored = ModelQuality.fromSnapshot(unpack(pack(q.toSnapshot())) as ModelQualitySnapshot);
    expect(restored.report()).toEqual(q.report());
    q.observe(0.1, 1);
    restored.observe(0.1, 1);
    expect(restored.report()).toEqual(q.report());
  });
});
