import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EndToEndResult } from "./load/endToEnd.js";
import type { SuiteResult } from "./micro/reportSuite.js";
import { checkFloors, ratiosOf } from "./ratios.js";

/**
 * Runs every micro-benchmark suite (bench/micro/*.bench.ts), each in its own child
 * process so one suite's JIT state and garbage cannot colour another's, then the
 * end-to-end load benchmark (bench/load/endToEnd.ts), and prints markdown tables.
 *
 *   (no flag)  full sampling; writes bench/results/<date>.json and <date>.md (the tables)
 *   --quick    short sampling and a smaller load, under 2 minutes; writes nothing
 *   --guard    with --quick: checks every ratio against bench/floors.json, exits 1 on a FAIL
 *   --micro    micro-benchmarks only (no nats-server needed)
 */
const benchDir = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const guard = process.argv.includes("--guard");
const microOnly = process.argv.includes("--micro");
const modeFlags = quick ? ["--quick"] : [];
const started = performance.now();

const micro: SuiteResult[] = readdirSync(join(benchDir, "micro"))
  .filter((file) => file.endsWith(".bench.ts"))
  .sort()
  .map((file) => runChild<SuiteResult>(join(benchDir, "micro", file), [...modeFlags, "--json"]));
const endToEnd = microOnly ? undefined : runChild<EndToEndResult>(join(benchDir, "load", "endToEnd.ts"), [...modeFlags, "--json"]);

const natsVersion = spawnSync("nats-server", ["--version"], { encoding: "utf8" }).stdout?.trim() || "nats-server: unknown";
const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  natsServer: natsVersion,
};
const lines = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; ${machine.natsServer}${quick ? "; quick mode" : ""}`,
  "",
  "| suite | case | ops/s | ± % | × baseline |",
  "|---|---|---:|---:|---:|",
  ...micro.flatMap((suite) => [
    ...suite.cases.map((c) => `| ${suite.suite} | ${c.name} | ${c.opsPerSecond.toLocaleString("en-US")} | ${c.relativeMarginOfError} | ${c.ratioToBaseline} |`),
    ...suite.comparisons.map((c) => `| ${suite.suite} | **${c.name}** | | | **${c.ratio}** |`),
  ]),
  ...(endToEnd === undefined ? [] : ["", ...endToEndTable(endToEnd)]),
];
process.stdout.write(`${lines.join("\n")}\n`);
const seconds = Math.round((performance.now() - started) / 1000);
process.stderr.write(`bench: done in ${seconds} s\n`);

if (!quick) {
  const resultsDir = join(benchDir, "results");
  mkdirSync(resultsDir, { recursive: true });
  const base = join(resultsDir, new Date().toISOString().slice(0, 10));
  writeFileSync(`${base}.json`, `${JSON.stringify({ date: new Date().toISOString(), seconds, machine, micro, endToEnd }, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${lines.join("\n")}\n`);
  process.stderr.write(`bench: results written to ${base}.json and ${base}.md\n`);
}

if (guard) {
  const { lines: verdicts, passed } = checkFloors(ratiosOf(micro, endToEnd), join(benchDir, "floors.json"));
  process.stdout.write(`\nRatios against bench/floors.json:\n${verdicts.join("\n")}\n`);
  if (!passed) {
    process.stdout.write("bench guard: FAILED: a ratio fell below its floor (see bench/README.md, Guard)\n");
    process.exit(1);
  }
  process.stdout.write("bench guard: every ratio is above its floor\n");
}

/** Runs one benchmark script in a child process and returns the JSON object it printed last. */
function runChild<T>(script: string, args: readonly string[]): T {
  process.stderr.write(`bench: ${script.slice(benchDir.length + 1)}${quick ? " (quick)" : ""}\n`);
  const run = spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`${script} failed with exit code ${run.status}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as T;
}

function endToEndTable(result: EndToEndResult): string[] {
  const { throughput: t, decideUnderLoad: d } = result;
  const n = (value: number) => value.toLocaleString("en-US");
  const latency = (p: EndToEndResult["decideUnderLoad"]["decideFromIntendedMs"]) => `${p.p50} / ${p.p99} / ${p.p999} / ${p.max}`;
  return [
    `End to end (real nats-server, ${n(result.customers)} customers):`,
    "",
    "| scenario | measure | value |",
    "|---|---|---:|",
    `| preload | events published (core NATS), events/s | ${n(result.preload.events)}, ${n(result.preload.eventsPerSecond)} |`,
    `| drain ${n(t.events)} events | no-op consumer (baseline), events/s; its CPU cores | ${n(t.noopConsumerEventsPerSecond)}; ${t.noopConsumerCpuCores} |`,
    `| drain ${n(t.events)} events | engine, events/s | ${n(t.engineEventsPerSecond)} |`,
    `| drain ${n(t.events)} events | **engine over no-op** | **${t.engineOverNoop}** |`,
    `| drain ${n(t.events)} events | engine CPU cores; nats-server CPU cores; engine peak RSS MiB | ${t.engineCpuCores}; ${t.natsServerCpuCores}; ${n(t.enginePeakRssMiB)} |`,
    `| decide under load, ${d.seconds} s | offered events/s (load generator CPU cores) | ${n(d.offeredEventsPerSecond)} (${d.loadGeneratorCpuCores}) |`,
    `| decide under load | engine events/s; **applied over offered** | ${n(d.engineEventsPerSecond)}; **${d.appliedOverOffered}** |`,
    `| decide under load | max consumer lag (messages); catch-up after the load stopped (ms) | ${n(d.maxLagMessages)}; ${d.catchUpMs === null ? "not caught up in the wait" : n(d.catchUpMs)} |`,
    `| decide under load | engine's longest event-loop delay (ms) | ${n(d.engineEventLoopDelayMaxMs)} |`,
    `| decide under load | decide requests/s; requests; errors | ${n(d.decideRequestsPerSecond)}; ${n(d.decideRequests)}; ${d.decideErrors} |`,
    `| decide under load | decide ms from intended send: p50 / p99 / p99.9 / max | ${latency(d.decideFromIntendedMs)} |`,
    `| decide under load | decide ms from actual send: p50 / p99 / p99.9 / max | ${latency(d.decideFromSentMs)} |`,
    `| decide under load | engine CPU cores; nats-server CPU cores; engine peak RSS MiB | ${d.engineCpuCores}; ${d.natsServerCpuCores}; ${n(d.enginePeakRssMiB)} |`,
  ];
}
