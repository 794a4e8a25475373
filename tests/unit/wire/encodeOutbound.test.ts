import { decode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { encodeOutbound } from "../../../engine/index.js";

const TS = Date.UTC(2026, 10, 2, 12, 30);

/** Decodes with the independent implementation; 64-bit integers come back as BigInt. */
const decodeIndependently = (bytes: Uint8Array) => decode(bytes, { useBigInt64: true }) as Record<string, unknown>;

describe("encodeOutbound", () => {
  it("writes an epoch-ms ts as a 64-bit MessagePack integer, not a float", () => {
    const bytes = encodeOutbound({ ts: TS });
    // fixmap(1), fixstr "ts", then the value's type byte
    expect(bytes[0]).toBe(0x81);
    expect(bytes[4] === 0xd3 || bytes[4] === 0xcf).toBe(true);
    expect(bytes).toHaveLength(4 + 9);
    expect(decodeIndependently(bytes).ts).toBe(BigInt(TS));
  });

  it("writes a negative integer beyond 32 bits as int64", () => {
    expect(decodeIndependently(encodeOutbound({ delta: -TS })).delta).toBe(BigInt(-TS));
  });

  it("keeps small integers compact and exact", () => {
    const bytes = encodeOutbound({ n: 5 });
    expect(bytes[bytes.length - 1]).toBe(0x05); // positive fixint
    expect(decodeIndependently(encodeOutbound({ a: 0, b: -1, c: 255, d: 65_536, e: 0xffff_ffff }))).toEqual({
      a: 0,
      b: -1,
      c: 255,
      d: 65_536,
      e: 0xffff_ffff,
    });
  });

  it("keeps floats as floats", () => {
    const bytes = encodeOutbound({ f: 0.75 });
    // fixmap(1), fixstr "f", then float64
    expect(bytes[3]).toBe(0xcb);
    expect(decodeIndependently(bytes).f).toBe(0.75);
    expect(decodeIndependently(encodeOutbound({ big: 1.5e12 + 0.25 })).big).toBe(1.5e12 + 0.25);
  });

  it("uses no msgpackr record extension: repeated object shapes decode with a standard decoder", () => {
    const decision = {
      decisionId: "e1:t1",
      actions: [
        { actionId: "a", score: 1.5, reasons: [{ code: "value", detail: "1" }] },
        { actionId: "b", score: 2.5, reasons: [{ code: "value", detail: "2" }] },
        { actionId: "c", score: 3.5, reasons: [{ code: "value", detail: "3" }] },
      ],
    };
    const bytes = encodeOutbound(decision);
    expect(bytes[0]! & 0xf0).toBe(0x80); // a plain fixmap, not a record definition
    // Records would decode as ExtData values with a standard decoder and fail this equality.
    expect(decode(bytes)).toEqual(decision);
  });

  it("widens 64-bit integers inside nested arrays and objects", () => {
    const bytes = encodeOutbound({ outer: { inner: [{ ts: TS }, [TS, 1]] }, timings: { decidedAt: TS + 3 } });
    expect(decodeIndependently(bytes)).toEqual({
      outer: { inner: [{ ts: BigInt(TS) }, [BigInt(TS), 1]] },
      timings: { decidedAt: BigInt(TS + 3) },
    });
  });

  it("drops undefined object fields instead of writing them", () => {
    const decoded = decodeIndependently(encodeOutbound({ a: 1, requestId: undefined, nested: { b: undefined, c: "x" } }));
    expect(decoded).toEqual({ a: 1, nested: { c: "x" } });
    expect(Object.keys(decoded)).toEqual(["a", "nested"]);
  });

  it("writes undefined inside an array as nil, not as msgpackr's private undefined extension", () => {
    expect(decode(encodeOutbound({ list: [1, undefined, 2] }))).toEqual({ list: [1, null, 2] });
  });

  it("passes byte arrays through as MessagePack bin", () => {
    const payload = Uint8Array.of(1, 2, 3);
    const decoded = decodeIndependently(encodeOutbound({ bytes: payload }));
    expect(decoded.bytes).toBeInstanceOf(Uint8Array);
    expect([...(decoded.bytes as Uint8Array)]).toEqual([1, 2, 3]);
  });

  it("writes strings and booleans and null as their MessagePack types", () => {
    expect(decodeIndependently(encodeOutbound({ s: "héllo", t: true, f: false, n: null }))).toEqual({
      s: "héllo",
      t: true,
      f: false,
      n: null,
    });
  });
});
