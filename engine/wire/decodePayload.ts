import * as msgpackr from "msgpackr";
import { InputErrorCodes, Rejection } from "../errors.js";

/**
 * JSON is told apart by its first byte: `{`, or whitespace before it. As MessagePack
 * these bytes are small positive integers, never a valid top-level event.
 */
const JSON_FIRST_BYTES = new Uint8Array(256);
for (const byte of [0x7b, 0x20, 0x09, 0x0a, 0x0d]) JSON_FIRST_BYTES[byte] = 1;
/** The one byte MessagePack never uses; msgpackr returns a placeholder instead of failing. */
const NEVER_USED = 0xc1;

// Plain MessagePack only: no record extension, and 64-bit integers (an epoch-ms `ts`
// from Go, Java or Python encoders) decode as plain numbers, not BigInt.
const unpackr = new msgpackr.Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: "number" });
const utf8 = new TextDecoder("utf-8", { fatal: true });

export type DecodedObject = Record<string, unknown>;

/**
 * Decodes one inbound payload, MessagePack or JSON (told apart by the first byte),
 * into a plain object; anything else comes back as a Rejection naming the problem.
 */
/** Whether a payload is JSON by the wire contract (a `{`, possibly after whitespace), not MessagePack. */
export function isJsonPayload(bytes: Uint8Array): boolean {
  return bytes.length > 0 && JSON_FIRST_BYTES[bytes[0]!] === 1;
}

/**
 * msgpackr decodes the never-used byte 0xc1 to a placeholder instead of failing; a
 * field holding one means the MessagePack was malformed, not merely ill-typed.
 */
export function isNeverUsedPlaceholder(value: unknown): boolean {
  return value === NEVER_USED_PLACEHOLDER;
}

/** msgpackr exports the placeholder at run time but not in its type declarations. */
const NEVER_USED_PLACEHOLDER = (msgpackr as unknown as { C1: unknown }).C1;

export function decodePayload(bytes: Uint8Array, maxBytes: number): DecodedObject | Rejection {
  if (bytes.length === 0) {
    return new Rejection(InputErrorCodes.EmptyPayload, "payload is empty");
  }
  if (bytes.length > maxBytes) {
    return new Rejection(
      InputErrorCodes.PayloadTooLarge,
      `payload is ${bytes.length} bytes; the limit is ${maxBytes}`,
    );
  }
  if (isJsonPayload(bytes)) {
    let value: unknown;
    try {
      value = JSON.parse(utf8.decode(bytes));
    } catch (error) {
      return new Rejection(InputErrorCodes.MalformedJson, `payload is not valid JSON: ${(error as Error).message}`);
    }
    return isPlainObject(value) ? value : notAnObject(`JSON ${describe(value)}`);
  }
  if (bytes[0] === NEVER_USED) {
    return new Rejection(InputErrorCodes.MalformedMsgpack, "payload is not valid MessagePack: it starts with the never-used byte 0xc1");
  }
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch (error) {
    return notMessagePack(bytes, error as Error);
  }
  return isPlainObject(value) ? value : notAnObject(`MessagePack ${describe(value)}`);
}

/**
 * Only a JSON object is JSON by contract, but a producer that sends a JSON array,
 * string or number deserves to hear that, not that its bytes are bad MessagePack.
 */
function notMessagePack(bytes: Uint8Array, error: Error): Rejection {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch {
    return new Rejection(InputErrorCodes.MalformedMsgpack, `payload is not valid MessagePack: ${error.message}`);
  }
  return notAnObject(`JSON ${describe(json)}`);
}

function notAnObject(what: string): Rejection {
  return new Rejection(InputErrorCodes.NotAnObject, `payload is ${what}; it must be a map (MessagePack) or an object (JSON)`);
}

function isPlainObject(value: unknown): value is DecodedObject {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "a non-map value";
  return `a ${typeof value}`;
}
