import { evaluateCsv, type EvaluationResult, type ModelFigures } from "../evaluate/evaluateCsv.js";
import { numberOption, stringOption, UsageError, type OptionValues } from "../options.js";

/**
 * Checks the engine's online models on a user's own customer history: streams a CSV
 * file through the same feature and model code the engine uses (evaluateCsv) and prints
 * prequential and holdout AUC and log loss, the holdout's calibration error and the
 * base rate; a table, or one JSON object with --json.
 */
export async function runEvaluate(values: OptionValues): Promise<number> {
  const file = stringOption(values, "data");
  if (file === undefined || file === "") throw new UsageError("--data is required");
  const label = stringOption(values, "label");
  if (label === undefined || label === "") throw new UsageError("--label is required");
  const positive = stringOption(values, "positive");
  const ignore = (stringOption(values, "ignore") ?? "")
    .split(",")
    .map((column) => column.trim())
    .filter((column) => column !== "");
  const holdout = numberOption(values, "holdout", 0.7, { min: 0.05, max: 0.95 });
  const result = await evaluateCsv({ file, label, ignore, holdout, ...(positive === undefined ? {} : { positive }) });
  if (result.idLikeColumns.length > 0) {
    process.stderr.write(`cxpulse: ${result.idLikeColumns.join(", ")} look${result.idLikeColumns.length === 1 ? "s" : ""} like a row id; leave ids out with --ignore\n`);
  }
  process.stdout.write(values.json === true ? `${JSON.stringify(result)}\n` : format(result));
  return 0;
}

function format(r: EvaluationResult): string {
  const n = (value: number) => value.toLocaleString("en-US");
  const f = (value: number) => (Number.isNaN(value) ? "n/a" : value.toFixed(4));
  const line = (name: string, m: ModelFigures, ece: string) => `  ${name.padEnd(12)} ${n(m.rows).padStart(10)} ${f(m.auc).padStart(8)} ${f(m.logLoss).padStart(9)} ${ece.padStart(8)}`;
  return [
    `${r.file}: ${n(r.rows)} rows${r.unreadableRows > 0 ? ` (${n(r.unreadableRows)} unreadable rows left out)` : ""}, label "${r.label}", base rate ${(r.baseRate * 100).toFixed(1)} %`,
    `features: ${r.columns.numeric.length} numeric, ${r.columns.categorical.length} categorical${r.columns.ignored.length > 0 ? `; ignored: ${r.columns.ignored.join(", ")}` : ""}`,
    `model: FTRL-Proximal logistic regression, 2^${r.model.bits} hashed slots, alpha ${r.model.alpha}, beta ${r.model.beta}, l1 ${r.model.l1}, l2 ${r.model.l2}`,
    "",
    `  ${"".padEnd(12)} ${"rows".padStart(10)} ${"AUC".padStart(8)} ${"log loss".padStart(9)} ${"ECE".padStart(8)}`,
    line("prequential", r.prequential, f(r.prequential.ece)),
    line("holdout", r.holdout, f(r.holdout.ece)),
    "",
    `prequential: every row predicted, then learned, in file order. holdout: learned on the first ${n(r.holdout.trainRows)} rows (${Math.round(r.holdout.trainShare * 100)} %), tested on the rest without learning.`,
    `ECE: expected calibration error over deciles of predicted probability. ${r.elapsedSeconds.toFixed(2)} s.`,
    "",
  ].join("\n");
}
