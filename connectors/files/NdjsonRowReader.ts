import { createReadStream, type ReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { InputErrorCodes } from "../../engine/index.js";
import type { RowReader, SourceRow } from "./SourceRow.js";

export type JsonRow = Readonly<Record<string, unknown>>;

/**
 * Reads a file of one JSON object per line (NDJSON, JSON Lines), streaming. Blank
 * lines are skipped; a line that is not JSON, or not an object, is a rejected row with
 * the engine's code for it (`malformed_json`, `not_an_object`).
 */
export class NdjsonRowReader implements RowReader<JsonRow> {
  readonly #source: ReadStream;

  constructor(file: string) {
    this.#source = createReadStream(file);
  }

  get bytesRead(): number {
    return this.#source.bytesRead;
  }

  async *rows(): AsyncGenerator<SourceRow<JsonRow>> {
    const lines = createInterface({ input: this.#source, crlfDelay: Number.POSITIVE_INFINITY });
    let line = 0;
    try {
      for await (const text of lines) {
        line++;
        const json = line === 1 ? text.replace(/^\uFEFF/, "") : text;
        if (json.trim() === "") continue;
        let value: unknown;
        try {
          value = JSON.parse(json);
        } catch (error) {
          yield { line, rejection: { code: InputErrorCodes.MalformedJson, message: `not valid JSON: ${(error as Error).message}` } };
          continue;
        }
        if (typeof value === "object" && value !== null && !Array.isArray(value)) {
          yield { line, values: value as JsonRow };
        } else {
          const what = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
          yield { line, rejection: { code: InputErrorCodes.NotAnObject, message: `the line is ${what}; it must be a JSON object` } };
        }
      }
    } finally {
      lines.close();
      this.#source.destroy();
    }
  }
}
