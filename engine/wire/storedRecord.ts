import { Packr, Unpackr } from "msgpackr";

// What the engine stores (checkpoints) is plain MessagePack like everything it
// publishes, so any tool can read a checkpoint. Unlike outbound payloads, large
// integers may be written as floats: only the engine reads them back, and skipping the
// integer-widening pass makes capturing a customer about a third cheaper.
const packr = new Packr({ useRecords: false, variableMapSize: true, encodeUndefinedAsNil: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: "number" });

export function encodeStored(value: unknown): Uint8Array {
  return packr.pack(value);
}

export function decodeStored(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}
