import { basename, extname } from "node:path";
import { DEFAULT_CONFIG_PATH, loadConfig } from "../../config/loadConfig.js";
import { connectNats } from "../../connectors/nats/connectNats.js";
import { DEFAULT_LOCAL_URL } from "../localNatsServer.js";
import { parseDuration } from "../../config/parseDuration.js";
import { FileProgress } from "../FileProgress.js";
import { fileSize, stringOption, UsageError, type OptionValues } from "../options.js";
import type { Estimate } from "../simulate/OffPolicyEstimate.js";
import { MAX_STRATEGIES, simulateStrategies, type SimulationResult, type StrategySpec } from "../simulate/simulateStrategies.js";
import { JetStreamLog, parseJetStreamRange, type JetStreamRange } from "../simulate/JetStreamLog.js";
import { logFormatOf, StrategyLog, type LogSource } from "../simulate/StrategyLog.js";

/**
 * Compares up to 20 strategy configurations on a recorded log of interactions and
 * decisions (simulateStrategies): a table ranked by the doubly-robust estimate of
 * responses, or one JSON object with --json.
 */
export async function runSimulateStrategies(values: OptionValues): Promise<number> {
  const source = stringOption(values, "events");
  if (source === undefined || source === "") throw new UsageError("--events is required: a recorded log (an NDJSON or MessagePack file, or jetstream:STREAM[:FROM-TO])");
  const files = values.strategy;
  const strategyFiles = Array.isArray(files) ? files : typeof files === "string" ? [files] : [];
  if (strategyFiles.length === 0) throw new UsageError("give at least one --strategy FILE (a configuration with the catalog, triggers, campaigns and policy to try)");
  if (strategyFiles.length > MAX_STRATEGIES) throw new UsageError(`at most ${MAX_STRATEGIES} strategies in one run, got ${strategyFiles.length}`);
  const windowText = stringOption(values, "response-window") ?? "7d";
  const responseWindowMs = parseDuration(windowText);
  if (responseWindowMs === undefined || responseWindowMs <= 0) throw new UsageError(`--response-window must be a duration such as 7d or 12h, got "${windowText}"`);
  const range = usage(() => parseJetStreamRange(source));
  const logFormat = range === null ? usage(() => logFormatOf(source, stringOption(values, "format"))) : undefined;
  const size = range === null ? fileSize(source) : 0;
  // Configuration errors name their file and line; they go out as they are.
  const strategies = uniqueNames(strategyFiles.map((path) => ({ name: basename(path, extname(path)), config: loadConfig(path) })));

  let log: LogSource;
  let progress: FileProgress;
  let done: () => number;
  if (range === null) {
    const file = new StrategyLog(source, logFormat!);
    log = file;
    progress = new FileProgress(size);
    done = () => file.bytesRead;
  } else {
    const stream = await readRange(values, range);
    log = stream;
    progress = new FileProgress(stream.size, process.stderr, "entries");
    done = () => stream.given;
  }
  const counts = { events: 0, moments: 0 };
  progress.phase("replaying", () => ({ bytes: done(), detail: `| ${counts.events.toLocaleString("en-US")} events, ${counts.moments.toLocaleString("en-US")} decisions` }));
  let result: SimulationResult;
  try {
    result = await simulateStrategies(log, strategies, responseWindowMs, counts);
  } finally {
    progress.stop();
  }
  process.stdout.write(values.json === true ? `${JSON.stringify(result)}\n` : formatTable(result, windowText));
  return 0;
}

/** The log of a JetStream range, read with the connection settings and decisions stream of --config. */
async function readRange(values: OptionValues, range: JetStreamRange): Promise<JetStreamLog> {
  const config = loadConfig(stringOption(values, "config") ?? DEFAULT_CONFIG_PATH, process.env);
  const servers = stringOption(values, "nats-url") ?? (config.nats.url || DEFAULT_LOCAL_URL);
  const nc = await connectNats({ ...config.nats, servers });
  try {
    return await JetStreamLog.read(nc, range, config.nats.decisionStream.name, config.engine.maxPayloadBytes);
  } finally {
    await nc.close();
  }
}

function usage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function uniqueNames(specs: StrategySpec[]): StrategySpec[] {
  const seen = new Map<string, number>();
  return specs.map((spec) => {
    const times = (seen.get(spec.name) ?? 0) + 1;
    seen.set(spec.name, times);
    return times === 1 ? spec : { ...spec, name: `${spec.name}#${times}` };
  });
}

function formatTable(r: SimulationResult, window: string): string {
  const n = (value: number, digits = 0) => value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const est = (e: Estimate, digits = 0) => `${n(e.total, digits)} ± ${n(e.halfWidth95, digits)}`;
  const ranked = [...r.strategies].sort((a, b) => b.drResponses.total - a.drResponses.total);
  const header = ["#", "strategy", "decisions", "per customer", "agree", "responses IPS", "responses DR", "revenue IPS", "revenue DR", "policy held", "decide p50/p99 µs"];
  const rows = ranked.map((s, i) => [
    String(i + 1),
    s.strategy,
    n(s.decisions),
    n(s.contactsPerCustomer, 2),
    `${n(s.matched)} (${n((100 * s.matched) / Math.max(1, r.moments), 1)} %)`,
    est(s.ipsResponses, 1),
    est(s.drResponses, 1),
    est(s.ipsRevenue, 2),
    est(s.drRevenue, 2),
    `${n(100 * s.policyPressure, 1)} %`,
    Number.isNaN(s.decideMicros.p50) ? "n/a" : `${n(s.decideMicros.p50, 1)} / ${n(s.decideMicros.p99, 1)}`,
  ]);
  const widths = header.map((title, c) => Math.max(title.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]) => `  ${cells.map((cell, c) => (c === 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")}`;
  const lost = r.strategies.filter((s) => s.customersLost > 0);
  const unsupported = r.strategies.filter((s) => s.unsupported > 0);
  return [
    `${r.source}: ${n(r.events)} events${r.rejectedEvents > 0 ? ` (${n(r.rejectedEvents)} rejected as bad input)` : ""} from ${n(r.customers)} customers, ${n(r.moments)} logged decisions compared; responses joined within ${window}. ${r.elapsedSeconds.toFixed(1)} s.`,
    `the logged decisions brought ${n(r.logged.responses)} responses and ${n(r.logged.revenue, 2)} revenue.`,
    ...(r.explored ? [] : ["warning: no logged decision was explored (all probabilities 1): a strategy is credited only where it agrees with the log; set arbitration.exploration when recording."]),
    ...(r.skipped.count > 0 ? [`left out ${n(r.skipped.count)} entries of the log, e.g. ${r.skipped.examples.join("; ")}`] : []),
    ...lost.map((s) => `warning: ${s.strategy} lost ${n(s.customersLost)} customers past engine.maxCustomers; raise it for this log.`),
    ...unsupported.map(
      (s) =>
        `warning: ${s.strategy} chose at ${n(s.unsupported)} logged decisions (${n((100 * s.unsupported) / Math.max(1, r.moments), 1)} %) an action the log never showed on that channel; its DR there is the response model's prior, not evidence.`,
    ),
    "",
    line(header),
    ...rows.map(line),
    "",
    "Expected responses and revenue had the strategy decided at every logged decision, ± a 95 % interval. IPS: inverse propensity",
    "(the logged outcome where the strategy agrees, divided by the probability the log had of choosing it). DR: doubly robust (a",
    "response model learnt from the log in time order, corrected by IPS where the strategy agrees). Ranked by DR responses.",
    "decisions: the strategy's own (its triggers over the whole log, its answers at logged requests); agree: logged decisions where it",
    "chose the same action on the same channel; policy held: of the actions reaching its contact policy, the share held back.",
    "",
  ].join("\n");
}
