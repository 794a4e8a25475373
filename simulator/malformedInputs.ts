import { encodeOutbound, InputErrorCodes, type EventInput, type InputErrorCode } from "../engine/index.js";
import { Subjects } from "../connectors/nats/subjects.js";
import type { Rng } from "./Rng.js";

/** A way to damage a valid event, and the error code the engine must answer with. */
export interface MalformedInput {
  readonly kind: string;
  readonly code: InputErrorCode;
  /** Damaged bytes, and a different subject when the damage is in the subject. */
  make(event: EventInput, rng: Rng): { data: Uint8Array; subject?: string };
}

const YEAR_MS = 365 * 86_400_000;
/** Larger than the default 64 KiB payload limit. */
const OVERSIZED_BYTES = 70_000;
const textEncoder = new TextEncoder();

const withFields = (event: EventInput, fields: Record<string, unknown>) => encodeOutbound({ ...event, ...fields });
const without = (event: EventInput, field: string) => {
  const copy: Record<string, unknown> = { ...event };
  delete copy[field];
  return encodeOutbound(copy);
};
const json = (value: unknown) => textEncoder.encode(JSON.stringify(value));

/**
 * The kinds of bad input the engine must survive: every one lands in the DLQ with its
 * code and leaves state untouched. Used by the simulator (`--malformed-ratio`), the
 * bad-input tests and the fuzz test.
 */
export const MALFORMED_INPUTS: readonly MalformedInput[] = [
  {
    kind: "random bytes",
    code: InputErrorCodes.MalformedMsgpack,
    // 0xc1 is the one byte MessagePack never uses; what follows is noise.
    make: (_event, rng) => ({ data: Uint8Array.from({ length: 8 + rng.int(64) }, (_, i) => (i === 0 ? 0xc1 : rng.int(256))) }),
  },
  {
    kind: "truncated MessagePack",
    code: InputErrorCodes.MalformedMsgpack,
    make: (event) => {
      const bytes = encodeOutbound(event);
      return { data: bytes.subarray(0, Math.max(1, bytes.length >> 1)) };
    },
  },
  {
    kind: "malformed JSON",
    code: InputErrorCodes.MalformedJson,
    make: (event) => {
      const text = JSON.stringify(event);
      return { data: textEncoder.encode(text.slice(0, text.length - 2)) };
    },
  },
  { kind: "JSON array", code: InputErrorCodes.NotAnObject, make: (event) => ({ data: json([event]) }) },
  { kind: "MessagePack array", code: InputErrorCodes.NotAnObject, make: (event) => ({ data: encodeOutbound([event]) }) },
  { kind: "empty payload", code: InputErrorCodes.EmptyPayload, make: () => ({ data: new Uint8Array(0) }) },
  { kind: "missing ts", code: InputErrorCodes.MissingField, make: (event) => ({ data: without(event, "ts") }) },
  { kind: "missing id", code: InputErrorCodes.MissingField, make: (event) => ({ data: without(event, "id") }) },
  { kind: "ts as a string", code: InputErrorCodes.WrongType, make: (event) => ({ data: withFields(event, { ts: String(event.ts) }) }) },
  { kind: "unknown event type", code: InputErrorCodes.UnknownEventType, make: (event) => ({ data: withFields(event, { type: "teleport" }) }) },
  {
    kind: "unknown channel",
    code: InputErrorCodes.UnknownChannel,
    make: (event) => ({ data: withFields(event, { channel: "fax" }), subject: `${Subjects.eventsPrefix}fax.${event.customerId}` }),
  },
  { kind: "unknown field", code: InputErrorCodes.UnknownField, make: (event) => ({ data: withFields(event, { color: "blue" }) }) },
  {
    kind: "NaN amount",
    code: InputErrorCodes.InvalidValue,
    make: (event) => ({ data: encodeOutbound({ ...purchaseOf(event), amount: Number.NaN }) }),
  },
  {
    kind: "infinite amount",
    code: InputErrorCodes.InvalidValue,
    make: (event) => ({ data: encodeOutbound({ ...purchaseOf(event), amount: Number.POSITIVE_INFINITY }) }),
  },
  {
    kind: "negative amount",
    code: InputErrorCodes.InvalidValue,
    make: (event) => ({ data: encodeOutbound({ ...purchaseOf(event), amount: -5 }) }),
  },
  {
    kind: "NPS score off the scale",
    code: InputErrorCodes.InvalidValue,
    make: (event) => ({ data: encodeOutbound({ ...baseOf(event), type: "survey", survey: "nps", score: 11 }) }),
  },
  { kind: "ts a year in the future", code: InputErrorCodes.TsOutOfRange, make: (event) => ({ data: withFields(event, { ts: event.ts + YEAR_MS }) }) },
  { kind: "ts in seconds", code: InputErrorCodes.TsOutOfRange, make: (event) => ({ data: withFields(event, { ts: Math.floor(event.ts / 1000) }) }) },
  {
    kind: "oversized payload",
    code: InputErrorCodes.PayloadTooLarge,
    make: (event) => ({ data: withFields(event, { attrs: { blob: "x".repeat(OVERSIZED_BYTES) } }) }),
  },
  {
    kind: "unsafe customer id",
    code: InputErrorCodes.UnsafeCustomerId,
    make: (event) => ({ data: withFields(event, { customerId: "a.b>*" }) }),
  },
  {
    kind: "subject names another customer",
    code: InputErrorCodes.SubjectMismatch,
    make: (event) => ({ data: encodeOutbound(event), subject: `${Subjects.event(event.channel, event.customerId)}x` }),
  },
];

function baseOf(event: EventInput) {
  return { id: event.id, customerId: event.customerId, channel: event.channel, ts: event.ts };
}

function purchaseOf(event: EventInput) {
  return { ...baseOf(event), type: "purchase", amount: 10, product: "case", category: "accessories" };
}
