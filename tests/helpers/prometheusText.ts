/** One sample line of the Prometheus text exposition format. */
export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PrometheusExposition {
  readonly samples: readonly PrometheusSample[];
  readonly help: ReadonlyMap<string, string>;
  readonly types: ReadonlyMap<string, string>;
  /** Every line or rule of the format the text breaks, with its line number. */
  readonly errors: readonly string[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/;
const LABEL_PAIR = /\s*([^=\s]+)="((?:[^"\\\n]|\\[\\"n])*)"\s*(,|$)/y;
// Case-insensitive because Prometheus parses values with Go's ParseFloat, which takes
// "Nan" (what prom-client prints for NaN) as readily as "NaN".
const VALUE = /^(?:[+-]?Inf|NaN|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/i;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["_sum", "_count"],
};

/**
 * Parses and checks text in the Prometheus exposition format (version 0.0.4): HELP and
 * TYPE lines, sample lines `name{label="value",...} value [timestamp]`, each sample
 * belonging to a family that was declared before it, histograms with their buckets.
 */
export function parsePrometheusText(text: string): PrometheusExposition {
  const samples: PrometheusSample[] = [];
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  const errors: string[] = [];
  const familiesWithSamples = new Set<string>();
  if (!text.endsWith("\n")) errors.push("the exposition does not end with a newline");
  text.split("\n").forEach((line, index) => {
    const at = `line ${index + 1}`;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (match === null) return; // a plain comment
      const [, keyword, name, rest] = match as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) errors.push(`${at}: bad metric name ${name}`);
      if (keyword === "HELP") {
        if (help.has(name)) errors.push(`${at}: second HELP for ${name}`);
        help.set(name, rest);
      } else {
        if (types.has(name)) errors.push(`${at}: second TYPE for ${name}`);
        if (familiesWithSamples.has(name)) errors.push(`${at}: TYPE for ${name} after its samples`);
        if (!TYPES.has(rest)) errors.push(`${at}: unknown type "${rest}" for ${name}`);
        types.set(name, rest);
      }
      return;
    }
    const match = SAMPLE_LINE.exec(line);
    if (match === null) {
      errors.push(`${at}: not a sample line: ${line}`);
      return;
    }
    const [, name, labelText, valueText] = match as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    if (labelText !== undefined && labelText !== "") {
      LABEL_PAIR.lastIndex = 0;
      while (LABEL_PAIR.lastIndex < labelText.length) {
        const start = LABEL_PAIR.lastIndex;
        const pair = LABEL_PAIR.exec(labelText);
        if (pair === null || pair.index !== start) {
          errors.push(`${at}: bad labels {${labelText}}`);
          break;
        }
        const [, labelName, labelValue] = pair as unknown as [string, string, string];
        if (!LABEL_NAME.test(labelName)) errors.push(`${at}: bad label name ${labelName}`);
        if (labelName in labels) errors.push(`${at}: label ${labelName} twice`);
        labels[labelName] = labelValue.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
      }
    }
    if (!VALUE.test(valueText)) errors.push(`${at}: bad value ${valueText}`);
    const family = familyOf(name, types);
    if (family === undefined) errors.push(`${at}: sample ${name} has no TYPE line before it`);
    else {
      familiesWithSamples.add(family);
      if (!help.has(family)) errors.push(`${at}: family ${family} has no HELP line`);
      if (types.get(family) === "histogram" && name.endsWith("_bucket") && labels.le === undefined) {
        errors.push(`${at}: histogram bucket without an le label`);
      }
    }
    samples.push({ name, labels, value: Number(valueText.replace("Inf", "Infinity")) });
  });
  for (const [family, type] of types) {
    if (type === "histogram" && familiesWithSamples.has(family)) {
      const infinite = samples.some((s) => s.name === `${family}_bucket` && s.labels.le === "+Inf");
      if (!infinite) errors.push(`histogram ${family} has no le="+Inf" bucket`);
    }
  }
  return { samples, help, types, errors };
}

function familyOf(name: string, types: ReadonlyMap<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      if (name.endsWith(suffix)) {
        const family = name.slice(0, -suffix.length);
        if (types.get(family) === type) return family;
      }
    }
  }
  return undefined;
}

/** The value of the one sample with this name and exactly these labels, or undefined. */
export function sampleValue(exposition: PrometheusExposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels);
  const matches = exposition.samples.filter(
    (s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v),
  );
  if (matches.length > 1) throw new Error(`${matches.length} samples of ${name}${JSON.stringify(labels)}`);
  return matches[0]?.value;
}
