import { describe, expect, it } from "vitest";
import { FeatureKind, FeatureVector, hashString } from "../../../engine/models/FeatureVector.js";

describe("FeatureVector", () => {
  it("hashes with 32-bit FNV-1a (the published test values)", () => {
    expect(hashString("")).toBe(0x811c9dc5);
    expect(hashString("a")).toBe(0xe40c292c);
    expect(hashString("foobar")).toBe(0xbf9cf968);
  });

  it("starts with the bias alone and holds numeric values raw, categories as indicators, inside 2^bits slots", () => {
    const x = new FeatureVector(8);
    expect(x.length).toBe(1);
    expect([x.indices[0], x.values[0], x.kinds[0]]).toEqual([0, 1, FeatureKind.bias]);
    x.addNumeric(FeatureVector.seed("tenure"), 42.5);
    x.addCategorical(FeatureVector.seed("plan"), "gold");
    expect(x.length).toBe(3);
    expect([x.values[1], x.kinds[1]]).toEqual([42.5, FeatureKind.numeric]);
    expect([x.values[2], x.kinds[2]]).toEqual([1, FeatureKind.indicator]);
    for (let i = 1; i < x.length; i++) {
      expect(x.indices[i]).toBeGreaterThan(0);
      expect(x.indices[i]).toBeLessThan(256);
    }
    x.clear();
    expect(x.length).toBe(1);
  });

  it("puts a pre-hashed category where the hashing adder does, and different values of a feature in different slots", () => {
    const seed = FeatureVector.seed("region");
    const x = new FeatureVector(16);
    x.addCategorical(seed, "north");
    x.addCategoryHash(FeatureVector.categoryHash(seed, "north"));
    x.addCategorical(seed, "south");
    x.addCategorical(FeatureVector.seed("plan"), "north");
    expect(x.indices[1]).toBe(x.indices[2]);
    expect(x.indices[3]).not.toBe(x.indices[1]);
    expect(x.indices[4]).not.toBe(x.indices[1]);
  });

  it("turns a value that is not a finite number into the feature's missing indicator", () => {
    const x = new FeatureVector(16);
    const seed = FeatureVector.seed("daysSinceLastPurchase");
    x.addNumeric(seed, Number.POSITIVE_INFINITY);
    x.addNumeric(seed, Number.NaN);
    x.addNumeric(seed, 3);
    expect([x.kinds[1], x.values[1]]).toEqual([FeatureKind.indicator, 1]);
    expect(x.indices[2]).toBe(x.indices[1]);
    expect(x.kinds[3]).toBe(FeatureKind.numeric);
    expect(x.indices[3]).not.toBe(x.indices[1]);
  });

  it("copies into a pooled vector, and refuses more entries than it holds", () => {
    const x = new FeatureVector(10, 3);
    x.addNumeric(FeatureVector.seed("a"), 1);
    x.addNumeric(FeatureVector.seed("b"), 2);
    expect(() => x.addNumeric(FeatureVector.seed("c"), 3)).toThrow("feature vector holds at most 3 entries");
    const kept = new FeatureVector(10, 3);
    kept.copyFrom(x);
    x.clear();
    expect(kept.length).toBe(3);
    expect(Array.from(kept.values)).toEqual([1, 1, 2]);
    expect(x.copy().length).toBe(1);
    expect(() => new FeatureVector(12).copyFrom(kept)).toThrow("cannot copy a 10-bit feature vector into a 12-bit one");
  });
});
