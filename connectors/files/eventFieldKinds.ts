import { eventFieldSchemas, type EventFieldSchema } from "../../engine/index.js";

/**
 * What a field of the event contract holds, as far as reading it from a file goes:
 * `time` is the event time (epoch ms or ISO-8601), `attribute` a free attribute
 * (`attrs.<key>`: string, number or boolean, kept as read), `object` a nested field
 * taken whole from a JSON row.
 */
export type FieldKind = "string" | "number" | "boolean" | "time" | "attribute" | "object";

/** The contract's event-time field. */
const EVENT_TIME_FIELD = "ts";

interface FieldEntry {
  readonly kind: FieldKind;
  /** For nested fields: the kind of one of its keys, or undefined for a key the contract does not allow. */
  readonly keyKind?: (key: string) => FieldKind | undefined;
}

/** Every top-level field of every event type, from the published JSON Schema (the one source of the contract). */
const FIELDS: ReadonlyMap<string, FieldEntry> = new Map(
  [...eventFieldSchemas()].map(([field, schema]) => [field, field === EVENT_TIME_FIELD ? { kind: "time" } : entryOf(schema)]),
);

function entryOf(schema: EventFieldSchema): FieldEntry {
  if (schema.patternProperties !== undefined) {
    const patterns = Object.keys(schema.patternProperties).map((pattern) => new RegExp(pattern));
    return { kind: "object", keyKind: (key) => (patterns.some((pattern) => pattern.test(key)) ? "attribute" : undefined) };
  }
  if (schema.properties !== undefined) {
    const properties = schema.properties;
    return { kind: "object", keyKind: (key) => (Object.hasOwn(properties, key) ? kindOf(properties[key]!) : undefined) };
  }
  return { kind: kindOf(schema) };
}

function kindOf(schema: EventFieldSchema): FieldKind {
  switch (schema.type ?? schema.anyOf?.[0]?.type) {
    case "number":
    case "integer":
      return "number";
    case "boolean":
      return "boolean";
    case "object":
      return "object";
    default:
      return "string";
  }
}

/**
 * The kind of an event field named by its path: a top-level field (`amount`) or a key
 * of a nested one (`attrs.store`, `consents.email`); undefined if the contract has no
 * such field.
 */
export function fieldKind(path: string): FieldKind | undefined {
  const dot = path.indexOf(".");
  if (dot < 0) return FIELDS.get(path)?.kind;
  return FIELDS.get(path.slice(0, dot))?.keyKind?.(path.slice(dot + 1));
}
