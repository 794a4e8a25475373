import type { RowRejection, RowRejectionCode } from "../../connectors/files/SourceRow.js";

/** Rejected rows kept as examples, per code. */
const EXAMPLES_PER_CODE = 5;

export interface RejectedExample {
  readonly line: number;
  readonly message: string;
}

interface RejectedRows {
  count: number;
  readonly examples: RejectedExample[];
}

/** What the summary says besides the counts. */
export interface ImportContext {
  readonly file: string;
  readonly format: string;
  readonly stream: string;
  readonly dryRun: boolean;
  readonly elapsedMs: number;
  /** Source columns no event field was read from. */
  readonly unusedColumns: readonly string[];
  /** Set when publishing failed. */
  readonly publishError?: string;
  /** The stream's duplicate window, for the advice to re-run after a failure. */
  readonly duplicateWindowMs: number;
}

/** The machine-readable summary (`--json`). */
export interface ImportReport {
  readonly file: string;
  readonly format: string;
  readonly stream: string;
  readonly dryRun: boolean;
  readonly rowsRead: number;
  /** Rows that passed the event contract; published unless dry run. */
  readonly accepted: number;
  /** Accepted rows the stream acknowledged as stored (by this run, or by an earlier run of the same file). */
  readonly published: number;
  readonly rejected: number;
  readonly rejectedByCode: Readonly<Record<string, { readonly count: number; readonly examples: readonly RejectedExample[] }>>;
  readonly unusedColumns: readonly string[];
  readonly elapsedSeconds: number;
  readonly rowsPerSecond: number;
  readonly publishError?: string;
}

/** Counts of one import: rows read, accepted, published, and rejected by code with the first few examples of each. */
export class ImportSummary {
  rowsRead = 0;
  accepted = 0;
  published = 0;
  readonly #rejected = new Map<RowRejectionCode, RejectedRows>();
  #rejectedCount = 0;

  get rejected(): number {
    return this.#rejectedCount;
  }

  reject(line: number, rejection: RowRejection): void {
    this.#rejectedCount++;
    let rows = this.#rejected.get(rejection.code);
    if (rows === undefined) {
      rows = { count: 0, examples: [] };
      this.#rejected.set(rejection.code, rows);
    }
    rows.count++;
    if (rows.examples.length < EXAMPLES_PER_CODE) rows.examples.push({ line, message: rejection.message });
  }

  report(context: ImportContext): ImportReport {
    const elapsedSeconds = context.elapsedMs / 1000;
    return {
      file: context.file,
      format: context.format,
      stream: context.stream,
      dryRun: context.dryRun,
      rowsRead: this.rowsRead,
      accepted: this.accepted,
      published: this.published,
      rejected: this.#rejectedCount,
      rejectedByCode: Object.fromEntries(
        [...this.#rejected].sort(([, a], [, b]) => b.count - a.count).map(([code, rows]) => [code, { count: rows.count, examples: rows.examples }]),
      ),
      unusedColumns: context.unusedColumns,
      elapsedSeconds: Math.round(elapsedSeconds * 1000) / 1000,
      rowsPerSecond: elapsedSeconds > 0 ? Math.round(this.rowsRead / elapsedSeconds) : 0,
      ...(context.publishError === undefined ? {} : { publishError: context.publishError }),
    };
  }

  /** The summary for people: one block of aligned lines. */
  format(context: ImportContext): string {
    const report = this.report(context);
    const lines = [`${report.dryRun ? "checked (dry run, nothing published)" : `imported into stream ${report.stream}`}: ${report.file} (${report.format})`];
    lines.push(`  rows read  ${count(report.rowsRead)}`);
    lines.push(`  accepted   ${count(report.accepted)}${report.dryRun ? "" : `  (published and stored: ${count(report.published)})`}`);
    lines.push(`  rejected   ${count(report.rejected)}`);
    const codes = Object.entries(report.rejectedByCode);
    const width = Math.max(0, ...codes.map(([code]) => code.length));
    for (const [code, rows] of codes) {
      rows.examples.forEach((example, i) => {
        const label = i === 0 ? `${code.padEnd(width)} ${count(rows.count)}` : " ".repeat(width + 1 + count(rows.count).length);
        lines.push(`    ${label}  line ${example.line}: ${example.message}`);
      });
    }
    if (report.unusedColumns.length > 0) lines.push(`  columns not imported: ${report.unusedColumns.join(", ")}`);
    lines.push(`  ${report.elapsedSeconds.toFixed(1)} s, ${count(report.rowsPerSecond)} rows/s`);
    if (report.publishError !== undefined) {
      lines.push(
        `  publishing failed: ${report.publishError}`,
        `  Run the same import again: rows already stored are dropped as duplicates within the stream's duplicate window (${Math.round(context.duplicateWindowMs / 1000)} s).`,
      );
    }
    return `${lines.join("\n")}\n`;
  }
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}
