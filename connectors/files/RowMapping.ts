import { InputErrorCodes, Rejection } from "../../engine/index.js";
import { fieldKind, type FieldKind } from "./eventFieldKinds.js";

/** How the rows of a file become events; the `import` section of the configuration. */
export interface RowMappingSettings {
  /** Event field → the source column it is read from. Nested fields by path: `attrs.store`, `consents.email`. */
  readonly columns: Readonly<Record<string, string>>;
  /** Event field → the value every row gets. */
  readonly constants: Readonly<Record<string, string | number | boolean>>;
}

/** An event input for the validator, or why the row cannot become one. */
export type MappedRow = Record<string, unknown> | Rejection;

/** Maps the cells of one CSV record, in header order. */
export interface CsvRowMapper {
  /** Header columns no field is read from. */
  readonly unusedColumns: readonly string[];
  map(cells: readonly string[], line: number): MappedRow;
}

/** Maps one JSON object (an NDJSON line); its keys are the columns. */
export interface ObjectRowMapper {
  /** Keys seen that no field is read from (the first few distinct ones). */
  readonly unusedColumns: readonly string[];
  map(row: Readonly<Record<string, unknown>>, line: number): MappedRow;
}

/** Unused NDJSON keys reported at most; keys vary per line, the report stays short. */
const MAX_UNUSED_COLUMNS = 20;
/** Characters of a cell quoted in a rejection message. */
const SHOWN_CELL_LENGTH = 40;

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ["true", true],
  ["false", false],
  ["yes", true],
  ["no", false],
  ["1", true],
  ["0", false],
]);

/** A cell with nothing in it: the field is left out, so a required one is reported missing by the validator. */
const ABSENT = Symbol("absent");

interface FieldTarget {
  /** The field's path, as in messages. */
  readonly path: string;
  readonly field: string;
  /** The key within a nested field (`attrs`, `consents`), or undefined for a top-level one. */
  readonly key: string | undefined;
  readonly kind: FieldKind;
}

interface ColumnReader extends FieldTarget {
  readonly column: string;
}

interface ConstantValue extends FieldTarget {
  readonly value: string | number | boolean;
}

/** Gives a row without an `id` one, from the row's line. */
export type IdForLine = (line: number) => string;

/**
 * Turns rows of a file into event inputs for the EventValidator, compiled once from
 * the configuration. A field gets, in order of precedence: its configured constant, its
 * configured column, or else the column named like the field. Cells are converted to
 * what the contract wants: numbers from decimal text, the event time from epoch
 * milliseconds or ISO-8601 text, booleans from true/false/yes/no/1/0; an empty cell
 * leaves the field out.
 */
export class RowMapping {
  readonly #columns: readonly ColumnReader[];
  readonly #constants: readonly ConstantValue[];
  /** Fields the configuration names, and the nested fields some of whose keys it names. */
  readonly #configured: ReadonlySet<string>;

  constructor(settings: RowMappingSettings) {
    this.#columns = Object.entries(settings.columns).map(([path, column]) => ({ ...targetOf(path), column }));
    this.#constants = Object.entries(settings.constants).map(([path, value]) => ({ ...targetOf(path), value }));
    this.#configured = new Set([...this.#columns, ...this.#constants].flatMap((target) => [target.path, target.field]));
  }

  /** Fields the configuration reads from a column the CSV header lacks. */
  missingColumns(header: readonly string[]): { readonly field: string; readonly column: string }[] {
    return this.#columns.filter((reader) => !header.includes(reader.column)).map(({ path, column }) => ({ field: path, column }));
  }

  forHeader(header: readonly string[], idForLine: IdForLine): CsvRowMapper {
    const indexOf = new Map<string, number>();
    header.forEach((column, index) => indexOf.set(column, index));
    const readers = [
      ...this.#columns.filter((reader) => indexOf.has(reader.column)),
      ...header.flatMap((column) => {
        const target = this.#sameNamedField(column);
        return target === undefined ? [] : [{ ...target, column }];
      }),
    ].map((reader) => ({ ...reader, index: indexOf.get(reader.column)! }));
    const read = new Set(readers.map((reader) => reader.column));
    return {
      unusedColumns: header.filter((column) => column !== "" && !read.has(column)),
      map: (cells, line) => {
        const event = this.#withConstants();
        for (const reader of readers) {
          const rejection = assign(event, reader, cells[reader.index]);
          if (rejection !== undefined) return rejection;
        }
        return withId(event, line, idForLine);
      },
    };
  }

  forObjects(idForLine: IdForLine): ObjectRowMapper {
    const explicitColumns = new Set(this.#columns.map((reader) => reader.column));
    // Keys repeat from line to line: the field each fills is worked out once (keys that fill none are not kept).
    const sameNamed = new Map<string, ColumnReader>();
    const readerFor = (column: string): ColumnReader | undefined => {
      let reader = sameNamed.get(column);
      if (reader === undefined) {
        const target = this.#sameNamedField(column);
        if (target === undefined) return undefined;
        reader = { ...target, column };
        sameNamed.set(column, reader);
      }
      return reader;
    };
    const unused = new Set<string>();
    return {
      get unusedColumns() {
        return [...unused];
      },
      map: (row, line) => {
        const event = this.#withConstants();
        for (const reader of this.#columns) {
          const rejection = assign(event, reader, row[reader.column]);
          if (rejection !== undefined) return rejection;
        }
        for (const column in row) {
          const reader = readerFor(column);
          if (reader === undefined) {
            if (!explicitColumns.has(column) && unused.size < MAX_UNUSED_COLUMNS) unused.add(column);
            continue;
          }
          const rejection = assign(event, reader, row[column]);
          if (rejection !== undefined) return rejection;
        }
        return withId(event, line, idForLine);
      },
    };
  }

  /** The field a column of the same name fills, unless the configuration says where that field comes from. */
  #sameNamedField(column: string): FieldTarget | undefined {
    if (this.#configured.has(column) || fieldKind(column) === undefined) return undefined;
    return targetOf(column);
  }

  #withConstants(): Record<string, unknown> {
    const event: Record<string, unknown> = {};
    for (const constant of this.#constants) put(event, constant, constant.value);
    return event;
  }
}

function withId(event: Record<string, unknown>, line: number, idForLine: IdForLine): Record<string, unknown> {
  if (event.id === undefined) event.id = idForLine(line);
  return event;
}

function targetOf(path: string): FieldTarget {
  const kind = fieldKind(path);
  if (kind === undefined) throw new Error(`"${path}" is not a field of the event contract`);
  const dot = path.indexOf(".");
  return dot < 0 ? { path, field: path, key: undefined, kind } : { path, field: path.slice(0, dot), key: path.slice(dot + 1), kind };
}

/** Converts a cell and puts it into the event; returns why not if the cell does not fit the field. */
function assign(event: Record<string, unknown>, reader: ColumnReader, cell: unknown): Rejection | undefined {
  const value = convert(cell, reader);
  if (value instanceof Rejection) return value;
  if (value !== ABSENT) put(event, reader, value);
  return undefined;
}

function put(event: Record<string, unknown>, target: FieldTarget, value: unknown): void {
  if (target.key === undefined) {
    event[target.field] = value;
    return;
  }
  const nested = (event[target.field] ??= {}) as Record<string, unknown>;
  nested[target.key] = value;
}

function convert(cell: unknown, reader: ColumnReader): unknown {
  if (cell === undefined || cell === null || cell === "") return ABSENT;
  if (typeof cell !== "string") {
    // JSON rows bring their own types; a numeric id or customer id is still an id.
    return reader.kind === "string" && typeof cell === "number" ? String(cell) : cell;
  }
  switch (reader.kind) {
    case "number":
      return DECIMAL.test(cell.trim()) ? Number(cell) : cellRejection(reader, cell, "must be a number");
    case "time":
      return eventTime(cell.trim(), reader);
    case "boolean":
      return BOOLEANS.get(cell.trim().toLowerCase()) ?? cellRejection(reader, cell, "must be true or false (or yes/no, 1/0)");
    default:
      return cell;
  }
}

/** Epoch milliseconds from decimal text, or from ISO-8601 text (a time without an offset is UTC). */
function eventTime(text: string, reader: ColumnReader): number | Rejection {
  if (DECIMAL.test(text)) return Number(text);
  const parts = ISO_8601.exec(text);
  if (parts === null) return cellRejection(reader, text, "must be epoch milliseconds or an ISO-8601 time");
  const [, year, month, day, hour = "0", minute = "0", second = "0", fraction = "", offset = "Z"] = parts;
  const fields = [Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)] as const;
  const utc = Date.UTC(...fields, Number(fraction.padEnd(3, "0").slice(0, 3)));
  const date = new Date(utc);
  const roundTrip = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  if (roundTrip.some((value, i) => value !== fields[i])) {
    return new Rejection(InputErrorCodes.InvalidValue, `"${reader.path}": column "${reader.column}" holds ${shown(text)}, which is not a valid time`);
  }
  return utc - offsetMs(offset);
}

function offsetMs(offset: string): number {
  if (offset.toUpperCase() === "Z") return 0;
  const digits = offset.slice(1).replace(":", "");
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0");
  return (offset.startsWith("-") ? -minutes : minutes) * 60_000;
}

function cellRejection(reader: ColumnReader, cell: string, requirement: string): Rejection {
  return new Rejection(InputErrorCodes.WrongType, `"${reader.path}" ${requirement}; column "${reader.column}" holds ${shown(cell)}`);
}

function shown(cell: string): string {
  return JSON.stringify(cell.length > SHOWN_CELL_LENGTH ? `${cell.slice(0, SHOWN_CELL_LENGTH)}...` : cell);
}
