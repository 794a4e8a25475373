import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EventValidator } from "../../../engine/events/EventValidator.js";
import { EVENT_TYPES, eventJsonSchema, ManualClock, Rejection, type EventType } from "../../../engine/index.js";
import { T0, VALID_EVENTS } from "./examples.js";

const SCHEMA_FILE = fileURLToPath(new URL("../../../docs/event.schema.json", import.meta.url));
const REGENERATE = "node --import tsx cli/main.ts schema > docs/event.schema.json";

interface PropertySchema {
  readonly type?: string;
  readonly anyOf?: readonly { readonly const?: unknown; readonly type?: string }[];
  readonly const?: unknown;
}

interface TypeSchema {
  readonly type: string;
  readonly required: readonly string[];
  readonly properties: Readonly<Record<string, PropertySchema>>;
  readonly additionalProperties: boolean;
}

interface PublishedSchema {
  readonly oneOf: readonly { readonly $ref: string }[];
  readonly definitions: Readonly<Record<string, TypeSchema>>;
}

const schema = eventJsonSchema() as unknown as PublishedSchema;

/**
 * A plain structural check against the published schema (no JSON Schema library):
 * the type's required fields are present, no field is outside its properties, and
 * each field's primitive JSON type matches. Returns the problems found.
 */
function structuralProblems(event: Record<string, unknown>): string[] {
  const definition = schema.definitions[event.type as string];
  if (definition === undefined) return [`no definition for type ${String(event.type)}`];
  const problems: string[] = [];
  for (const field of definition.required) if (!(field in event)) problems.push(`missing ${field}`);
  for (const [field, value] of Object.entries(event)) {
    const property = definition.properties[field];
    if (property === undefined) {
      if (definition.additionalProperties === false) problems.push(`unknown ${field}`);
      continue;
    }
    if (!matchesType(property, value)) problems.push(`wrong type for ${field}`);
  }
  return problems;
}

function matchesType(property: PropertySchema, value: unknown): boolean {
  if (property.const !== undefined) return value === property.const;
  if (property.anyOf !== undefined) return property.anyOf.some((variant) => matchesType(variant, value));
  switch (property.type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

describe("the published event JSON Schema", () => {
  it("docs/event.schema.json equals eventJsonSchema() (no drift between the TypeScript source and the published file)", () => {
    if (!existsSync(SCHEMA_FILE)) {
      expect.fail(`docs/event.schema.json is missing; regenerate it with: ${REGENERATE}`);
    }
    const published = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as unknown;
    expect(published, `docs/event.schema.json is out of date; regenerate it with: ${REGENERATE}`).toEqual(
      JSON.parse(JSON.stringify(eventJsonSchema())),
    );
  });

  it("offers exactly one definition per event type, each referenced from oneOf", () => {
    expect(Object.keys(schema.definitions)).toEqual([...EVENT_TYPES]);
    expect(schema.oneOf.map((entry) => entry.$ref)).toEqual(EVENT_TYPES.map((type) => `#/definitions/${type}`));
  });

  it("pins each definition to its type and forbids undeclared fields", () => {
    for (const type of EVENT_TYPES) {
      const definition = schema.definitions[type]!;
      expect(definition.properties.type?.const, type).toBe(type);
      expect(definition.additionalProperties, type).toBe(false);
      expect(definition.required, type).toEqual(expect.arrayContaining(["id", "customerId", "type", "channel", "ts"]));
    }
  });

  it("requires the type-specific fields the state reducer reads", () => {
    const required = (type: EventType) => schema.definitions[type]!.required;
    expect(required("purchase")).toEqual(expect.arrayContaining(["amount", "product", "category"]));
    expect(required("survey")).toEqual(expect.arrayContaining(["survey", "score"]));
    expect(required("offer_response")).toEqual(expect.arrayContaining(["offerId", "response"]));
    expect(required("page_view")).toContain("page");
    expect(required("refund")).toContain("amount");
    expect(required("login")).not.toContain("amount");
  });

  it("declares ts an integer with the 2000-01-01 minimum", () => {
    for (const type of EVENT_TYPES) {
      const ts = schema.definitions[type]!.properties.ts as { type?: string; minimum?: number };
      expect(ts.type, type).toBe("integer");
      expect(ts.minimum, type).toBe(Date.UTC(2000, 0, 1));
    }
  });

  it("is plain JSON: serialising it loses nothing", () => {
    const direct = eventJsonSchema();
    expect(JSON.parse(JSON.stringify(direct))).toEqual(direct);
  });

  it("structurally accepts every valid example event", () => {
    for (const type of EVENT_TYPES) {
      for (const event of VALID_EVENTS[type]) expect(structuralProblems(event), JSON.stringify(event)).toEqual([]);
    }
  });

  it("agrees with the engine's validator when a required field is removed", () => {
    const validator = new EventValidator({ clock: new ManualClock(T0), maxFutureSkewMs: 0 });
    for (const type of EVENT_TYPES) {
      const example = VALID_EVENTS[type][0]!;
      for (const field of schema.definitions[type]!.required) {
        if (field === "type") continue;
        const broken = { ...example };
        delete broken[field];
        expect(structuralProblems(broken), `${type} without ${field}`).toEqual([`missing ${field}`]);
        expect(validator.validate(broken), `${type} without ${field}`).toBeInstanceOf(Rejection);
      }
    }
  });

  it("agrees with the engine's validator on a field from another event type", () => {
    const validator = new EventValidator({ clock: new ManualClock(T0), maxFutureSkewMs: 0 });
    const login = { ...VALID_EVENTS.login[0]!, amount: 5 };
    expect(structuralProblems(login)).toEqual(["unknown amount"]);
    expect(validator.validate(login)).toBeInstanceOf(Rejection);
  });

  it("structurally rejects a wrongly typed field", () => {
    expect(structuralProblems({ ...VALID_EVENTS.purchase[0]!, amount: "10" })).toEqual(["wrong type for amount"]);
    expect(structuralProblems({ ...VALID_EVENTS.purchase[0]!, channel: "fax" })).toEqual(["wrong type for channel"]);
  });
});
