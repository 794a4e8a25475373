import { decode, ExtData } from "@msgpack/msgpack";

/**
 * Decodes outbound bytes with @msgpack/msgpack, an implementation independent of the
 * engine's msgpackr, the way a consumer in another language would. With `bigints`,
 * 64-bit integers come back as BigInt, which proves they were sent as integers.
 */
export function decodePlain(bytes: Uint8Array, options: { bigints?: boolean } = {}): unknown {
  return decode(bytes, { useBigInt64: options.bigints ?? false });
}

/** Paths of every extension value (msgpackr records, structures, ...) in a decoded tree. */
export function extensionPaths(value: unknown, path = "$"): string[] {
  if (value instanceof ExtData) return [`${path} (ext type ${value.type})`];
  if (value instanceof Uint8Array || value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => extensionPaths(item, `${path}[${index}]`));
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => extensionPaths(item, `${path}.${key}`));
}

