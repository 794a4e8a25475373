import { describe, expect, it } from "vitest";
import { ImportSummary, type ImportContext } from "../../../cli/import/ImportSummary.js";
import { MALFORMED_CSV } from "../../../connectors/files/SourceRow.js";
import { InputErrorCodes } from "../../../engine/index.js";

const CONTEXT: ImportContext = {
  file: "history.csv",
  format: "csv",
  stream: "CX_EVENTS",
  dryRun: false,
  elapsedMs: 2_000,
  unusedColumns: ["note"],
  duplicateWindowMs: 120_000,
};

function summaryOf(rejected: number): ImportSummary {
  const summary = new ImportSummary();
  summary.rowsRead = 1_000 + rejected;
  summary.accepted = 1_000;
  summary.published = 1_000;
  for (let i = 0; i < rejected; i++) summary.reject(10 + i, { code: InputErrorCodes.WrongType, message: `row ${i} is wrong` });
  summary.reject(3, { code: MALFORMED_CSV, message: "has 3 fields; the header has 2" });
  return summary;
}

describe("ImportSummary", () => {
  it("counts rejections by code, most frequent first, keeping the first five examples of each", () => {
    const report = summaryOf(7).report(CONTEXT);
    expect(report.rejected).toBe(8);
    expect(Object.keys(report.rejectedByCode)).toEqual([InputErrorCodes.WrongType, MALFORMED_CSV]);
    expect(report.rejectedByCode[InputErrorCodes.WrongType]).toEqual({
      count: 7,
      examples: [10, 11, 12, 13, 14].map((line, i) => ({ line, message: `row ${i} is wrong` })),
    });
    expect(report.rejectedByCode[MALFORMED_CSV]).toEqual({ count: 1, examples: [{ line: 3, message: "has 3 fields; the header has 2" }] });
  });

  it("reports rows read, accepted, published, elapsed time and rows per second", () => {
    expect(summaryOf(0).report(CONTEXT)).toMatchObject({ rowsRead: 1_000, accepted: 1_000, published: 1_000, rejected: 1, elapsedSeconds: 2, rowsPerSecond: 500 });
  });

  it("says in text what was rejected, where and why, and how to recover from a failed publish", () => {
    const text = summaryOf(1).format({ ...CONTEXT, publishError: "the stream acknowledged no publish for 30 s" });
    expect(text).toContain("rows read  1,001");
    expect(text).toContain("accepted   1,000  (published and stored: 1,000)");
    expect(text).toMatch(/wrong_type\s+1 +line 10: row 0 is wrong/);
    expect(text).toMatch(/malformed_csv\s+1 +line 3: has 3 fields/);
    expect(text).toContain("columns not imported: note");
    expect(text).toContain("publishing failed: the stream acknowledged no publish for 30 s");
    expect(text).toContain("duplicate window (120 s)");
  });
});
