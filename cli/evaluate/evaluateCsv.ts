import { CsvRowReader } from "../../connectors/files/CsvRowReader.js";
import { SourceFileError } from "../../connectors/files/SourceRow.js";
import { FeatureVector, FtrlLogistic, ModelQuality, type QualityReport } from "../../engine/index.js";
import { FileProgress } from "../FileProgress.js";
import { fileSize, UsageError } from "../options.js";
import { ColumnSurvey, type ColumnKind } from "./ColumnSurvey.js";
import { RowEncoder } from "./RowEncoder.js";

/** Label values read as positive and as negative when no --positive value is given (case ignored). */
const POSITIVE_VALUES = new Set(["yes", "true", "1", "y", "t"]);
const NEGATIVE_VALUES = new Set(["no", "false", "0", "n", "f"]);

export interface EvaluateOptions {
  readonly file: string;
  readonly label: string;
  /** The label value that is the positive class; others are negative. Default: yes/true/1 against no/false/0. */
  readonly positive?: string;
  readonly ignore?: readonly string[];
  /** Share of the rows, in file order, the holdout model learns from. Default 0.7. */
  readonly holdout?: number;
  readonly delimiter?: string;
  /** A progress bar on this stream if it is a terminal; default stderr. */
  readonly progress?: NodeJS.WriteStream;
}

export interface ModelFigures {
  readonly rows: number;
  readonly positives: number;
  readonly auc: number;
  readonly logLoss: number;
  readonly ece: number;
}

export interface EvaluationResult {
  readonly file: string;
  readonly label: string;
  /** Rows read as data; rows the CSV reader could not read are left out and counted apart. */
  readonly rows: number;
  readonly unreadableRows: number;
  readonly baseRate: number;
  readonly columns: { readonly numeric: readonly string[]; readonly categorical: readonly string[]; readonly ignored: readonly string[] };
  /** Columns that look like row ids and were not ignored. */
  readonly idLikeColumns: readonly string[];
  /** Every row predicted, then learned, in file order. */
  readonly prequential: ModelFigures;
  /** Learned on the first `trainRows`, then the rest predicted without learning. */
  readonly holdout: ModelFigures & { readonly trainRows: number; readonly trainShare: number };
  readonly model: { readonly bits: number; readonly alpha: number; readonly beta: number; readonly l1: number; readonly l2: number };
  readonly elapsedSeconds: number;
}

/**
 * Streams a customer file through the engine's feature and model code in file order,
 * twice: a first pass decides each column's kind and checks the labels (so a bad label
 * stops the run before anything is learned), a second runs two models side by side: a
 * prequential one (predict each row, then learn it) and a holdout one (learn the first
 * share of rows, then predict the rest without learning, scaling statistics frozen too).
 * Both start from the uninformed prior (0.5): the evaluation knows nothing of the file
 * before reading it.
 */
export async function evaluateCsv(options: EvaluateOptions): Promise<EvaluationResult> {
  const started = performance.now();
  const trainShare = options.holdout ?? 0.7;
  const size = fileSize(options.file);
  const progress = new FileProgress(size, options.progress);
  try {
    const first = await open(options);
    const header = first.header;
    const labelIndex = header.indexOf(options.label);
    if (labelIndex < 0) {
      first.close();
      throw new UsageError(`label column "${options.label}" is not in the header of ${options.file} (its columns: ${header.join(", ")})`);
    }
    const ignored = options.ignore ?? [];
    const unknown = ignored.filter((column) => !header.includes(column));
    if (unknown.length > 0) {
      first.close();
      throw new UsageError(`--ignore names column${unknown.length === 1 ? "" : "s"} not in the header of ${options.file}: ${unknown.join(", ")}`);
    }
    const labelOf = labelReader(options.positive);

    const survey = new ColumnSurvey(header.length);
    let unreadableRows = 0;
    let positives = 0;
    progress.phase("reading", () => ({ bytes: first.bytesRead, detail: `| ${survey.rows.toLocaleString("en-US")} rows` }));
    for await (const row of first.rows()) {
      if (row.rejection !== undefined) {
        unreadableRows++;
        continue;
      }
      const label = labelOf(row.values[labelIndex]!);
      if (label === undefined) throw new UsageError(unknownLabel(options, row.line, row.values[labelIndex]!));
      positives += label;
      survey.observe(row.values);
    }
    const rows = survey.rows;
    if (rows === 0) {
      throw new UsageError(
        unreadableRows === 0 ? `${options.file} has a header but no data rows` : `none of the ${unreadableRows} rows of ${options.file} is readable CSV with as many fields as its header`,
      );
    }

    const features = header
      .map((name, index) => ({ name, index, kind: survey.kindOf(index) as ColumnKind }))
      .filter(({ name, index }) => index !== labelIndex && !ignored.includes(name));
    const encoder = new RowEncoder(features);
    const trainRows = Math.floor(rows * trainShare);
    if (trainRows < 1 || trainRows >= rows) throw new UsageError(`--holdout ${trainShare} leaves no rows to ${trainRows < 1 ? "learn from" : "test on"} in ${rows} rows`);

    const prequential = new FtrlLogistic();
    const holdout = new FtrlLogistic();
    const prequentialQuality = new ModelQuality(rows);
    const holdoutQuality = new ModelQuality(rows - trainRows);
    // One entry per feature column (a value or its missing indicator), and the bias.
    const x = new FeatureVector(prequential.bits, features.length + 1);
    const second = await open(options);
    let seen = 0;
    progress.phase("learning", () => ({ bytes: second.bytesRead, detail: `| ${seen.toLocaleString("en-US")} of ${rows.toLocaleString("en-US")} rows` }));
    for await (const row of second.rows()) {
      if (row.rejection !== undefined) continue;
      const label = labelOf(row.values[labelIndex]!)!;
      encoder.encode(row.values, x);
      const p = prequential.predict(x);
      prequentialQuality.observe(p, label);
      prequential.update(x, label, p);
      if (seen < trainRows) holdout.update(x, label);
      else holdoutQuality.observe(holdout.predict(x), label);
      seen++;
    }
    const { alpha, beta, l1, l2, bits } = prequential;
    return {
      file: options.file,
      label: options.label,
      rows,
      unreadableRows,
      baseRate: positives / rows,
      columns: {
        numeric: features.filter((f) => f.kind === "numeric").map((f) => f.name),
        categorical: features.filter((f) => f.kind === "categorical").map((f) => f.name),
        ignored: [...ignored],
      },
      idLikeColumns: features.filter((f) => survey.looksLikeId(f.index)).map((f) => f.name),
      prequential: figures(prequentialQuality.report()),
      holdout: { ...figures(holdoutQuality.report()), trainRows, trainShare },
      model: { bits, alpha, beta, l1, l2 },
      elapsedSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    progress.stop();
  }
}

function figures(report: QualityReport): ModelFigures {
  return { rows: report.count, positives: report.positives, auc: report.auc, logLoss: report.logLoss, ece: report.ece };
}

/** The label reading: with `positive`, that value against any other; without, the usual yes/no spellings. */
function labelReader(positive: string | undefined): (cell: string) => 0 | 1 | undefined {
  if (positive !== undefined) {
    return (cell) => {
      const value = cell.trim();
      if (value === "") return undefined;
      return value === positive ? 1 : 0;
    };
  }
  return (cell) => {
    const value = cell.trim().toLowerCase();
    if (POSITIVE_VALUES.has(value)) return 1;
    return NEGATIVE_VALUES.has(value) ? 0 : undefined;
  };
}

function unknownLabel(options: EvaluateOptions, line: number, value: string): string {
  const where = `line ${line} of ${options.file}`;
  if (value.trim() === "") return `${where} has no value in label column "${options.label}"`;
  return `${where} has label "${value}" in column "${options.label}", which is not yes/no, true/false or 1/0; name the positive value with --positive`;
}

async function open(options: EvaluateOptions): Promise<CsvRowReader> {
  try {
    const reader = await CsvRowReader.open(options.file, options.delimiter ?? ",");
    if (reader.header.length === 0) {
      reader.close();
      throw new UsageError(`${options.file} is empty: a CSV file with a header line is needed`);
    }
    return reader;
  } catch (error) {
    if (error instanceof SourceFileError) throw new UsageError(error.message);
    throw error;
  }
}
