import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { decodePayload, InputErrorCodes, Rejection, type InputErrorCode } from "../../../engine/index.js";

const LIMIT = 1024;
const TS = Date.UTC(2026, 10, 2, 12, 30);
const text = new TextEncoder();
const json = (value: string) => text.encode(value);

function rejected(bytes: Uint8Array, limit = LIMIT): Rejection {
  const result = decodePayload(bytes, limit);
  if (!(result instanceof Rejection)) throw new Error(`expected a rejection, got ${JSON.stringify(result)}`);
  return result;
}

function codeOf(bytes: Uint8Array, limit = LIMIT): InputErrorCode {
  return rejected(bytes, limit).code;
}

describe("decodePayload: telling MessagePack from JSON", () => {
  it("decodes a MessagePack map from an independent encoder into a plain object", () => {
    const bytes = encode({ id: "e1", customerId: "C1", amount: 12.5, ok: true, nested: { list: [1, "two"] } });
    expect(bytes[0]! >> 4).toBe(0x8); // fixmap
    const decoded = decodePayload(bytes, LIMIT);
    expect(decoded).toEqual({ id: "e1", customerId: "C1", amount: 12.5, ok: true, nested: { list: [1, "two"] } });
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  it("decodes a payload starting with { as JSON", () => {
    expect(decodePayload(json('{"id":"e1","ts":1700000000000,"attrs":{"a":"b"}}'), LIMIT)).toEqual({
      id: "e1",
      ts: 1_700_000_000_000,
      attrs: { a: "b" },
    });
  });

  it("decodes a uint64 ts (as Go, Java or Python encode it) as a plain number", () => {
    const bytes = encode({ ts: BigInt(TS) }, { useBigInt64: true });
    expect([...bytes]).toContain(0xcf); // the independent encoder chose uint64
    const decoded = decodePayload(bytes, LIMIT) as Record<string, unknown>;
    expect(typeof decoded.ts).toBe("number");
    expect(decoded.ts).toBe(TS);
  });

  it("decodes an int64 ts as a plain number", () => {
    // A negative BigInt makes the independent encoder write int64 (0xd3); the engine must not hand back a BigInt.
    const bytes = encode({ ts: BigInt(-TS) }, { useBigInt64: true });
    expect([...bytes]).toContain(0xd3);
    const decoded = decodePayload(bytes, LIMIT) as Record<string, unknown>;
    expect(decoded.ts).toBe(-TS);
    expect(typeof decoded.ts).toBe("number");
  });

  it("decodes a JSON object preceded by whitespace as JSON (whitespace bytes are never a MessagePack event)", () => {
    // Pretty-printed files and some HTTP clients send a newline or spaces first.
    expect(decodePayload(json('\n  {"id":"e1"}'), LIMIT)).toEqual({ id: "e1" });
  });
});

describe("decodePayload: rejections", () => {
  it("rejects an empty payload as empty_payload", () => {
    expect(codeOf(new Uint8Array(0))).toBe(InputErrorCodes.EmptyPayload);
  });

  it("rejects a payload one byte over the limit as payload_too_large, naming both sizes", () => {
    const bytes = encode({ blob: "x".repeat(LIMIT) });
    const rejection = rejected(bytes.subarray(0, LIMIT + 1));
    expect(rejection.code).toBe(InputErrorCodes.PayloadTooLarge);
    expect(rejection.message).toContain(String(LIMIT + 1));
    expect(rejection.message).toContain(String(LIMIT));
  });

  it("accepts a payload of exactly the limit", () => {
    const bytes = encode({ a: 1 });
    expect(decodePayload(bytes, bytes.length)).toEqual({ a: 1 });
  });

  it("rejects truncated MessagePack as malformed_msgpack", () => {
    const bytes = encode({ id: "e1", customerId: "C1", ts: TS, product: "phone-x1" });
    for (const cut of [1, 5, bytes.length >> 1, bytes.length - 1]) {
      expect(codeOf(bytes.subarray(0, cut)), `cut at ${cut}`).toBe(InputErrorCodes.MalformedMsgpack);
    }
  });

  it("rejects MessagePack followed by trailing bytes as malformed_msgpack", () => {
    const bytes = encode({ id: "e1" });
    expect(codeOf(Uint8Array.of(...bytes, 0x01))).toBe(InputErrorCodes.MalformedMsgpack);
    expect(codeOf(Uint8Array.of(...bytes, ...bytes))).toBe(InputErrorCodes.MalformedMsgpack);
  });

  it("rejects 0xc1 (the byte MessagePack never uses) followed by noise as malformed_msgpack", () => {
    expect(codeOf(Uint8Array.of(0xc1, 0x10, 0x20, 0x30, 0xff))).toBe(InputErrorCodes.MalformedMsgpack);
  });

  it("rejects a lone 0xc1 byte as malformed_msgpack, not as some decoded value", () => {
    expect(codeOf(Uint8Array.of(0xc1))).toBe(InputErrorCodes.MalformedMsgpack);
  });

  it("rejects a JSON array, string, number, boolean and null as not_an_object, saying they are JSON", () => {
    for (const body of ["[1,2]", '"hello"', "12345", "true", "null"]) {
      const rejection = rejected(json(body));
      expect(rejection.code, body).toBe(InputErrorCodes.NotAnObject);
      expect(rejection.message, body).toContain("JSON");
    }
  });

  it("rejects a one-digit JSON number as not_an_object", () => {
    expect(codeOf(json("7"))).toBe(InputErrorCodes.NotAnObject);
  });

  it("rejects MessagePack arrays, strings and nil as not_an_object", () => {
    for (const value of [[{ id: "e1" }], "event", null, 42]) {
      expect(codeOf(encode(value)), JSON.stringify(value)).toBe(InputErrorCodes.NotAnObject);
    }
  });

  it("rejects a MessagePack timestamp extension (a Date, not a map) as not_an_object", () => {
    expect(codeOf(encode(new Date(TS)))).toBe(InputErrorCodes.NotAnObject);
  });

  it("rejects broken JSON that starts with { as malformed_json", () => {
    for (const body of ['{"id": "e1"', "{id: 1}", '{"a":1}}', "{"]) {
      expect(codeOf(json(body)), body).toBe(InputErrorCodes.MalformedJson);
    }
  });

  it("rejects JSON with invalid UTF-8 as malformed_json", () => {
    // {"<0xff>":1}
    expect(codeOf(Uint8Array.of(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d))).toBe(InputErrorCodes.MalformedJson);
  });
});
