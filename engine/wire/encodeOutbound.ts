import { Packr } from "msgpackr";

// Plain MessagePack on every outbound subject: no records, no shared structures, so any
// language's standard decoder reads it.
const packr = new Packr({ useRecords: false, variableMapSize: true, encodeUndefinedAsNil: true });

/**
 * Encodes an outbound payload. msgpackr writes integers beyond 32 bits (epoch-ms
 * timestamps) as float64; the contract says integers go out as integers, so those are
 * converted to BigInt, which msgpackr writes as int64/uint64.
 */
export function encodeOutbound(value: unknown): Uint8Array {
  return packr.pack(widenIntegers(value));
}

function widenIntegers(value: unknown): unknown {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && (value > 0xffff_ffff || value < -0x8000_0000) ? BigInt(value) : value;
  }
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(widenIntegers);
  if (ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) out[key] = widenIntegers(field);
  }
  return out;
}
