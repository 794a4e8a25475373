import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CsvRowReader } from "../../../connectors/files/CsvRowReader.js";
import { NdjsonRowReader } from "../../../connectors/files/NdjsonRowReader.js";
import { MALFORMED_CSV, SourceFileError, type RowReader, type SourceRow } from "../../../connectors/files/SourceRow.js";
import { InputErrorCodes } from "../../../engine/index.js";

const dir = mkdtempSync(join(tmpdir(), "cxpulse-import-readers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function fileWith(content: string | Buffer, extension = "csv"): string {
  const file = join(dir, `f${++files}.${extension}`);
  writeFileSync(file, content);
  return file;
}

async function readAll<T>(reader: RowReader<T>): Promise<SourceRow<T>[]> {
  const rows: SourceRow<T>[] = [];
  for await (const row of reader.rows()) rows.push(row);
  return rows;
}

/** Rows as `line: cells` or `line: !code`, for compact expectations. */
function summarise(rows: readonly SourceRow<readonly string[]>[]): string[] {
  return rows.map((row) => (row.rejection === undefined ? `${row.line}: ${row.values.join("|")}` : `${row.line}: !${row.rejection.code}`));
}

async function readCsv(content: string | Buffer, delimiter = ","): Promise<{ header: readonly string[]; rows: SourceRow<readonly string[]>[] }> {
  const reader = await CsvRowReader.open(fileWith(content), delimiter);
  return { header: reader.header, rows: await readAll(reader) };
}

describe("CsvRowReader", () => {
  it("reads the header, then each record numbered by the line it starts on, quoted fields with newlines included", async () => {
    const { header, rows } = await readCsv('a,b\n1,2\n\n3,"x\ny"\n"5, five",6\n');
    expect(header).toEqual(["a", "b"]);
    expect(summarise(rows)).toEqual(["2: 1|2", "4: 3|x\ny", "6: 5, five|6"]);
  });

  it("reads CRLF line ends, a byte-order mark and another delimiter", async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const { header, rows } = await readCsv(Buffer.concat([bom, Buffer.from("a;b\r\n1;2\r\n3;4")]), ";");
    expect(header).toEqual(["a", "b"]);
    expect(summarise(rows)).toEqual(["2: 1|2", "3: 3|4"]);
  });

  it("rejects each broken record alone as malformed_csv and reads every other record", async () => {
    const { rows } = await readCsv(
      [
        "a,b",
        "1,2",
        '3,x"y', // a quote inside an unquoted field
        "4,5",
        '6,"Widget 12" Pro', // text after a closing quote
        "7,8",
        "9,10,11", // a field too many
        '12,"never closed',
        "13,14",
        "",
        "15",
        "16,17",
      ].join("\n"),
    );
    expect(summarise(rows)).toEqual([
      "2: 1|2",
      `3: !${MALFORMED_CSV}`,
      "4: 4|5",
      `5: !${MALFORMED_CSV}`,
      "6: 7|8",
      `7: !${MALFORMED_CSV}`,
      `8: !${MALFORMED_CSV}`,
      "9: 13|14",
      `11: !${MALFORMED_CSV}`,
      "12: 16|17",
    ]);
    const reasons = rows.flatMap((row) => (row.rejection === undefined ? [] : [row.rejection.message]));
    expect(reasons).toEqual([
      expect.stringContaining("a quote inside an unquoted field"),
      expect.stringContaining("goes on after its closing quote"),
      "has 3 fields; the header has 2",
      expect.stringContaining("a quote is opened and never closed"),
      "has 1 field; the header has 2",
    ]);
  });

  it("recovers after an unclosed quote followed by more than the largest record (1 MiB), without losing later rows", async () => {
    const after = Array.from({ length: 100_000 }, (_, i) => `${i},row-${i}`); // about 1.3 MB
    const { rows } = await readCsv(["a,b", "0,first", '1,"unclosed', ...after].join("\n"));
    expect(rows).toHaveLength(2 + after.length);
    expect(summarise(rows.slice(0, 3))).toEqual(["2: 0|first", `3: !${MALFORMED_CSV}`, "4: 0|row-0"]);
    expect(summarise(rows.slice(-1))).toEqual([`${3 + after.length}: 99999|row-99999`]);
  });

  it("streams: the first row comes before most of a large file is read", async () => {
    const lines = ["a,b", ...Array.from({ length: 200_000 }, (_, i) => `${i},some text for row ${i}`)];
    const file = fileWith(lines.join("\n"));
    const reader = await CsvRowReader.open(file, ",");
    const rows = reader.rows();
    expect((await rows.next()).value).toEqual({ line: 2, values: ["0", "some text for row 0"] });
    expect(reader.bytesRead).toBeLessThan(256 * 1024);
    await rows.return(undefined);
  });

  it("refuses a header it cannot read, or one that names a column twice", async () => {
    await expect(CsvRowReader.open(fileWith('a,"b\n1,2\n'), ",")).rejects.toThrow(SourceFileError);
    await expect(CsvRowReader.open(fileWith("a,b,a\n1,2,3\n"), ",")).rejects.toThrow('names column "a" twice');
  });

  it("reads an empty file as no header and no rows", async () => {
    expect(await readCsv("")).toEqual({ header: [], rows: [] });
  });
});

describe("NdjsonRowReader", () => {
  it("reads one object per line, skips blank lines, and rejects lines that are not JSON objects with the engine's codes", async () => {
    const content = '\uFEFF{"a":1}\r\n\n{"b":2}\n[1,2]\n{"c": }\n"text"\n{"d":4}';
    const rows = await readAll(new NdjsonRowReader(fileWith(content, "ndjson")));
    expect(rows.map((row) => (row.rejection === undefined ? [row.line, row.values] : [row.line, row.rejection.code]))).toEqual([
      [1, { a: 1 }],
      [3, { b: 2 }],
      [4, InputErrorCodes.NotAnObject],
      [5, InputErrorCodes.MalformedJson],
      [6, InputErrorCodes.NotAnObject],
      [7, { d: 4 }],
    ]);
  });
});
