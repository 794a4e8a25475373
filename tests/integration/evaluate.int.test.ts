import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { evaluateCsv } from "../../cli/evaluate/evaluateCsv.js";
import { UsageError } from "../../cli/options.js";
import { CsvRowReader } from "../../connectors/files/CsvRowReader.js";
import { ModelQuality } from "../../engine/index.js";
import { fitBatchLogistic } from "../helpers/batchLogistic.js";
import { runCxpulse } from "../helpers/runCxpulse.js";

/** A copy of the shared mlc_churn data (tests/fixtures/README.md), so the test runs wherever the repository is. */
const MLC_CHURN = fileURLToPath(new URL("../fixtures/mlc_churn.csv", import.meta.url));

async function readCsv(file: string): Promise<{ header: readonly string[]; rows: (readonly string[])[] }> {
  const reader = await CsvRowReader.open(file, ",");
  const rows: (readonly string[])[] = [];
  for await (const row of reader.rows()) if (row.rejection === undefined) rows.push(row.values);
  return { header: reader.header, rows };
}

function tempCsv(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "cxpulse-evaluate-")), "data.csv");
  writeFileSync(file, text);
  return file;
}

describe("cxpulse evaluate", () => {
  it("reaches on mlc_churn a holdout AUC no more than 0.03 below batch logistic regression on the same features and split", async () => {
    const result = await evaluateCsv({ file: MLC_CHURN, label: "churn", ignore: ["row_id"] });
    expect(result.rows).toBe(5_000);
    expect(result.holdout.trainRows).toBe(3_500);
    expect(result.baseRate).toBeCloseTo(0.1414, 4);
    expect(result.columns.categorical).toEqual(["state", "area_code", "international_plan", "voice_mail_plan"]);
    expect(result.columns.numeric).toHaveLength(15);

    const { header, rows } = await readCsv(MLC_CHURN);
    const labels = rows.map((row) => (row[header.indexOf("churn")] === "yes" ? 1 : 0) as 0 | 1);
    const columns = {
      numeric: result.columns.numeric.map((name) => header.indexOf(name)),
      categorical: result.columns.categorical.map((name) => header.indexOf(name)),
    };
    const batch = fitBatchLogistic(rows.slice(0, 3_500), labels.slice(0, 3_500), columns);
    const reference = new ModelQuality(1_500);
    for (let r = 3_500; r < 5_000; r++) reference.observe(batch.predict(rows[r]!), labels[r]!);
    const batchAuc = reference.report().auc;
    process.stderr.write(
      `mlc_churn holdout AUC: streaming ${result.holdout.auc.toFixed(4)} (log loss ${result.holdout.logLoss.toFixed(4)}, ECE ${result.holdout.ece.toFixed(4)}); ` +
        `batch logistic regression ${batchAuc.toFixed(4)} (log loss ${reference.report().logLoss.toFixed(4)}); ` +
        `prequential AUC ${result.prequential.auc.toFixed(4)}, log loss ${result.prequential.logLoss.toFixed(4)}\n`,
    );
    expect(batchAuc).toBeGreaterThan(0.78);
    expect(result.holdout.auc).toBeGreaterThanOrEqual(batchAuc - 0.03);
    expect(result.prequential.auc).toBeGreaterThan(0.75);
    expect(result.holdout.ece).toBeLessThan(0.06);
  });

  it("prints one JSON object with --json that names the figures", async () => {
    const run = await runCxpulse(["evaluate", "--data", MLC_CHURN, "--label", "churn", "--ignore", "row_id", "--json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown> & { prequential: Record<string, number>; holdout: Record<string, number> };
    expect(report.rows).toBe(5_000);
    expect(typeof report.baseRate).toBe("number");
    expect(typeof report.elapsedSeconds).toBe("number");
    for (const key of ["auc", "logLoss", "ece", "rows"]) {
      expect(typeof report.prequential[key]).toBe("number");
      expect(typeof report.holdout[key]).toBe("number");
    }
    expect(report.holdout.rows).toBe(1_500);
    expect(report.holdout.trainRows).toBe(3_500);
    expect(run.stderr).toBe("");
  });

  it("names a column that looks like a row id when it is not ignored", async () => {
    const run = await runCxpulse(["evaluate", "--data", MLC_CHURN, "--label", "churn"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("row_id looks like a row id");
    expect(run.stdout).toMatch(/holdout\s+1,500\s+0\.\d{4}/);
  });

  it("fails with exit code 2 and a message naming a label column the file lacks", async () => {
    const run = await runCxpulse(["evaluate", "--data", MLC_CHURN, "--label", "churned"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('label column "churned" is not in the header');
    expect(run.stdout).toBe("");
  });

  it("refuses a missing file, an empty file, a header without rows and a file that is not CSV", async () => {
    await expect(evaluateCsv({ file: "/nonexistent/data.csv", label: "y" })).rejects.toThrow("cannot read /nonexistent/data.csv: ENOENT");
    await expect(evaluateCsv({ file: tempCsv(""), label: "y" })).rejects.toThrow("is empty");
    await expect(evaluateCsv({ file: tempCsv("a,y\n"), label: "y" })).rejects.toThrow("has a header but no data rows");
    await expect(evaluateCsv({ file: tempCsv('{"a": 1, "y": true}\n{"a": 2, "y": false}\n'), label: "y" })).rejects.toThrow("cannot read the CSV header");
    await expect(evaluateCsv({ file: tempCsv("a,y\n1,yes\n2,no\n"), label: "y", ignore: ["b"] })).rejects.toThrow("--ignore names column not in the header");
  });

  it("stops on a label value it cannot read, naming the line and the value, and takes --positive for other labels", async () => {
    const file = tempCsv("a,status\n1,churned\n2,active\n3,active\n4,churned\n");
    const error = await evaluateCsv({ file, label: "status" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('line 2 of');
    expect((error as Error).message).toContain('has label "churned" in column "status"');
    const result = await evaluateCsv({ file, label: "status", positive: "churned", holdout: 0.5 });
    expect(result.baseRate).toBe(0.5);
    expect(result.holdout.rows).toBe(2);
  });
});
