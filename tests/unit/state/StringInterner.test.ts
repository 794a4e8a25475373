import { describe, expect, it } from "vitest";
import { StringInterner } from "../../../engine/state/StringInterner.js";

describe("StringInterner", () => {
  it("holds one entry for equal strings built apart, and returns an equal string", () => {
    const strings = new StringInterner(10);
    expect(strings.intern(["/shop", "phones"].join("/"))).toBe("/shop/phones");
    expect(strings.intern(["/shop", "phones"].join("/"))).toBe("/shop/phones");
    expect(strings.size).toBe(1);
  });

  it("stops sharing new strings at its bound and returns them unchanged", () => {
    const strings = new StringInterner(2);
    strings.intern("a");
    strings.intern("b");
    expect(strings.intern("c")).toBe("c");
    expect(strings.size).toBe(2);
    expect(strings.intern("a")).toBe("a");
  });
});
