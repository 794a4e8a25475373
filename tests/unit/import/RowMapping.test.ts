import { describe, expect, it } from "vitest";
import { fieldKind } from "../../../connectors/files/eventFieldKinds.js";
import { RowMapping, type MappedRow, type RowMappingSettings } from "../../../connectors/files/RowMapping.js";
import { EventValidator } from "../../../engine/events/EventValidator.js";
import { InputErrorCodes, ManualClock, Rejection } from "../../../engine/index.js";

const NOW = Date.UTC(2026, 0, 15);
const validator = new EventValidator({ clock: new ManualClock(NOW), maxFutureSkewMs: 300_000 });
const idForLine = (line: number) => `gen-${line}`;
const NO_MAPPING: RowMappingSettings = { columns: {}, constants: {} };

/** Maps one CSV record with the given header. */
function mapCsv(settings: RowMappingSettings, header: readonly string[], cells: readonly string[], line = 2): MappedRow {
  return new RowMapping(settings).forHeader(header, idForLine).map(cells, line);
}

function mapped(row: MappedRow): Record<string, unknown> {
  if (row instanceof Rejection) throw new Error(`expected an event input, got ${row.code}: ${row.message}`);
  return row;
}

function rejection(row: MappedRow): Rejection {
  if (!(row instanceof Rejection)) throw new Error(`expected a rejection, got ${JSON.stringify(row)}`);
  return row;
}

/** A purchases export: the ts column is `when`, the amount `total`; type and channel are the same for every row. */
const PURCHASES: RowMappingSettings = {
  columns: { customerId: "customer_no", ts: "when", amount: "total" },
  constants: { type: "purchase", channel: "pos" },
};
const PURCHASE_HEADER = ["customer_no", "when", "total", "product", "category"];

describe("the event fields a file can fill, from the event contract", () => {
  it("knows each field's kind, nested keys included, and nothing else", () => {
    expect(fieldKind("amount")).toBe("number");
    expect(fieldKind("score")).toBe("number");
    expect(fieldKind("ts")).toBe("time");
    expect(fieldKind("customerId")).toBe("string");
    expect(fieldKind("channel")).toBe("string");
    expect(fieldKind("attrs")).toBe("object");
    expect(fieldKind("attrs.store")).toBe("attribute");
    expect(fieldKind("consents.email")).toBe("boolean");
    expect(fieldKind("consents.fax")).toBeUndefined();
    expect(fieldKind("attrs.9lives")).toBeUndefined();
    expect(fieldKind("amout")).toBeUndefined();
  });
});

describe("RowMapping: CSV columns to event fields", () => {
  it("without a mapping, reads each field from the column of its name and leaves other columns out", () => {
    const header = ["id", "customerId", "type", "channel", "ts", "amount", "product", "category", "note"];
    const mapper = new RowMapping(NO_MAPPING).forHeader(header, idForLine);
    const event = mapped(mapper.map(["e-1", "C-1", "purchase", "web", "1767225600000", "12.50", "p1", "phones", "call back"], 2));
    expect(event).toEqual({ id: "e-1", customerId: "C-1", type: "purchase", channel: "web", ts: 1_767_225_600_000, amount: 12.5, product: "p1", category: "phones" });
    expect(mapper.unusedColumns).toEqual(["note"]);
    expect(validator.validate(event)).not.toBeInstanceOf(Rejection);
  });

  it("reads renamed columns and gives constant fields the same value in every row", () => {
    const mapper = new RowMapping(PURCHASES).forHeader(PURCHASE_HEADER, idForLine);
    const first = mapped(mapper.map(["C-1", "1767225600000", "9.99", "p1", "phones"], 2));
    const second = mapped(mapper.map(["C-2", "1767225660000", "5", "p2", "cases"], 3));
    expect(first).toMatchObject({ customerId: "C-1", type: "purchase", channel: "pos", ts: 1_767_225_600_000, amount: 9.99 });
    expect(second).toMatchObject({ customerId: "C-2", type: "purchase", channel: "pos", amount: 5 });
    expect(validator.validate(first)).not.toBeInstanceOf(Rejection);
  });

  it("prefers a constant, then a configured column, over the column named like the field", () => {
    const settings: RowMappingSettings = { columns: { customerId: "customer_no" }, constants: { type: "purchase" } };
    const mapper = new RowMapping(settings).forHeader(["customerId", "customer_no", "type"], idForLine);
    expect(mapped(mapper.map(["wrong", "C-7", "refund"], 2))).toMatchObject({ customerId: "C-7", type: "purchase" });
    expect(mapper.unusedColumns).toEqual(["customerId", "type"]);
  });

  it("gives a row without an id one from its line, and keeps an id the row has", () => {
    const mapper = new RowMapping(NO_MAPPING).forHeader(["id", "customerId"], idForLine);
    expect(mapped(mapper.map(["", "C-1"], 17)).id).toBe("gen-17");
    expect(mapped(mapper.map(["own-id", "C-1"], 18)).id).toBe("own-id");
    expect(mapped(new RowMapping(NO_MAPPING).forHeader(["customerId"], idForLine).map(["C-1"], 5)).id).toBe("gen-5");
  });

  it("fills nested fields by key: attrs as read, consents as booleans", () => {
    const settings: RowMappingSettings = { columns: { "attrs.store": "store_id", "consents.email": "optin" }, constants: { "attrs.source": "legacy" } };
    const mapper = new RowMapping(settings).forHeader(["store_id", "optin", "attrs.tier", "consents.sms"], idForLine);
    expect(mapped(mapper.map(["S-9", "Yes", "gold", "0"], 2))).toMatchObject({
      attrs: { store: "S-9", source: "legacy", tier: "gold" },
      consents: { email: true, sms: false },
    });
    const refused = rejection(mapper.map(["S-9", "maybe", "gold", "1"], 3));
    expect(refused.code).toBe(InputErrorCodes.WrongType);
    expect(refused.message).toBe('"consents.email" must be true or false (or yes/no, 1/0); column "optin" holds "maybe"');
  });

  it("lists configured columns the header lacks", () => {
    expect(new RowMapping(PURCHASES).missingColumns(["customer_no", "total"])).toEqual([{ field: "ts", column: "when" }]);
    expect(new RowMapping(PURCHASES).missingColumns(PURCHASE_HEADER)).toEqual([]);
  });
});

describe("RowMapping: numbers", () => {
  const amountOf = (cell: string) => mapCsv(PURCHASES, PURCHASE_HEADER, ["C-1", "1767225600000", cell, "p1", "phones"]);

  it("converts decimal text where the contract wants a number", () => {
    expect(mapped(amountOf("12.50")).amount).toBe(12.5);
    expect(mapped(amountOf(" 7 ")).amount).toBe(7);
    expect(mapped(amountOf("1e3")).amount).toBe(1000);
    expect(mapped(amountOf(".5")).amount).toBe(0.5);
  });

  it("rejects a cell that is not a decimal number as wrong_type, naming the field, the column and the cell", () => {
    for (const cell of ["abc", "12,50", "0x10", "1_000", "Infinity"]) {
      const refused = rejection(amountOf(cell));
      expect(refused.code, cell).toBe(InputErrorCodes.WrongType);
      expect(refused.message, cell).toBe(`"amount" must be a number; column "total" holds ${JSON.stringify(cell)}`);
    }
  });

  it("leaves the field out for an empty cell, so the validator reports the required field missing", () => {
    const event = mapped(amountOf(""));
    expect(event).not.toHaveProperty("amount");
    const refused = validator.validate(event);
    expect(refused).toBeInstanceOf(Rejection);
    expect((refused as Rejection).code).toBe(InputErrorCodes.MissingField);
    expect((refused as Rejection).message).toContain('"amount"');
  });
});

describe("RowMapping: event time", () => {
  const tsOf = (cell: string) => mapCsv(PURCHASES, PURCHASE_HEADER, ["C-1", cell, "1", "p1", "phones"]);

  it("takes epoch milliseconds as they are", () => {
    expect(mapped(tsOf("1767225600123")).ts).toBe(1_767_225_600_123);
  });

  it("converts ISO-8601 text to epoch milliseconds, honouring the offset", () => {
    expect(mapped(tsOf("2026-01-01T00:00:00Z")).ts).toBe(Date.UTC(2026, 0, 1));
    expect(mapped(tsOf("2026-01-01T10:30:15.123Z")).ts).toBe(Date.UTC(2026, 0, 1, 10, 30, 15, 123));
    expect(mapped(tsOf("2026-01-01T10:30:15.123456789Z")).ts).toBe(Date.UTC(2026, 0, 1, 10, 30, 15, 123));
    expect(mapped(tsOf("2026-01-01T01:00:00+01:00")).ts).toBe(Date.UTC(2026, 0, 1));
    expect(mapped(tsOf("2026-01-01T05:30:00+0530")).ts).toBe(Date.UTC(2026, 0, 1));
    expect(mapped(tsOf("2025-12-31T22:00:00-02")).ts).toBe(Date.UTC(2026, 0, 1));
    expect(mapped(tsOf("2026-01-01 12:00")).ts).toBe(Date.UTC(2026, 0, 1, 12));
  });

  it("reads a time without an offset, and a date alone, as UTC", () => {
    expect(mapped(tsOf("2026-01-01T12:00:00")).ts).toBe(Date.UTC(2026, 0, 1, 12));
    expect(mapped(tsOf("2026-01-01")).ts).toBe(Date.UTC(2026, 0, 1));
  });

  it("rejects text that is no time as wrong_type and an impossible date as invalid_value", () => {
    const notATime = rejection(tsOf("yesterday"));
    expect(notATime.code).toBe(InputErrorCodes.WrongType);
    expect(notATime.message).toBe('"ts" must be epoch milliseconds or an ISO-8601 time; column "when" holds "yesterday"');
    expect(rejection(tsOf("01/02/2026")).code).toBe(InputErrorCodes.WrongType);
    for (const impossible of ["2026-02-30", "2026-13-01", "2026-01-01T24:00:00Z", "2026-01-01T10:60:00Z"]) {
      expect(rejection(tsOf(impossible)).code, impossible).toBe(InputErrorCodes.InvalidValue);
    }
  });

  it("leaves seconds for the validator, which says ts must be epoch milliseconds", () => {
    const refused = validator.validate(mapped(tsOf("1767225600")));
    expect((refused as Rejection).code).toBe(InputErrorCodes.TsOutOfRange);
  });
});

describe("RowMapping: what the validator decides", () => {
  it("passes an unknown event type on, and the validator rejects it with unknown_event_type", () => {
    const settings: RowMappingSettings = { columns: { type: "kind" }, constants: { channel: "web" } };
    const event = mapped(mapCsv(settings, ["customerId", "ts", "kind"], ["C-1", "1767225600000", "teleport"]));
    const refused = validator.validate(event);
    expect(refused).toBeInstanceOf(Rejection);
    expect((refused as Rejection).code).toBe(InputErrorCodes.UnknownEventType);
  });

  it("leaves out an empty customer id, and the validator reports it missing", () => {
    const event = mapped(mapCsv(PURCHASES, PURCHASE_HEADER, ["", "1767225600000", "1", "p1", "phones"]));
    expect((validator.validate(event) as Rejection).code).toBe(InputErrorCodes.MissingField);
  });
});

describe("RowMapping: JSON objects (NDJSON lines)", () => {
  it("takes fields named like the contract's, with their JSON types, and converts text where numbers are due", () => {
    const mapper = new RowMapping(NO_MAPPING).forObjects(idForLine);
    const event = mapped(
      mapper.map({ customerId: 12345, type: "survey", channel: "app", ts: "2026-01-01T00:00:00Z", survey: "nps", score: "9", attrs: { vip: true }, extra: 1 }, 4),
    );
    expect(event).toEqual({ id: "gen-4", customerId: "12345", type: "survey", channel: "app", ts: Date.UTC(2026, 0, 1), survey: "nps", score: 9, attrs: { vip: true } });
    expect(validator.validate(event)).not.toBeInstanceOf(Rejection);
    expect(mapper.unusedColumns).toEqual(["extra"]);
  });

  it("reads configured keys, leaves out nulls, and does not report configured keys as unused", () => {
    const mapper = new RowMapping(PURCHASES).forObjects(idForLine);
    const event = mapped(mapper.map({ customer_no: "C-1", when: 1_767_225_600_000, total: 3, product: "p", category: "c", cost: null }, 2));
    expect(event).toEqual({ id: "gen-2", customerId: "C-1", type: "purchase", channel: "pos", ts: 1_767_225_600_000, amount: 3, product: "p", category: "c" });
    expect(mapper.unusedColumns).toEqual([]);
  });

  it("rejects a value of the wrong JSON type where a number is due", () => {
    const mapper = new RowMapping(NO_MAPPING).forObjects(idForLine);
    const refused = rejection(mapper.map({ customerId: "C-1", amount: "lots" }, 3));
    expect(refused.code).toBe(InputErrorCodes.WrongType);
    expect(refused.message).toContain('column "amount" holds "lots"');
  });
});
