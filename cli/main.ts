#!/usr/bin/env node
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CxError } from "../engine/index.js";
import { UsageError, type OptionValues } from "./options.js";
import { runCheckConfig } from "./commands/checkConfig.js";
import { runDemo } from "./commands/demo.js";
import { runEvaluate } from "./commands/evaluate.js";
import { runFitBgNbd } from "./commands/fitBgNbd.js";
import { runImport } from "./commands/import.js";
import { runSchema } from "./commands/schema.js";
import { runSimulate } from "./commands/simulate.js";
import { runSimulateStrategies } from "./commands/simulateStrategies.js";
import { runStart } from "./commands/start.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: Options;
  readonly run: (values: OptionValues) => Promise<number>;
}

const config = { type: "string", short: "c" } as const;
const natsUrl = { type: "string" } as const;

const COMMANDS: Readonly<Record<string, Command>> = {
  start: {
    summary: "run the engine (a local NATS server when none is configured)",
    usage: "cxpulse start [--config FILE]",
    options: { config },
    run: (values) => runStart(values),
  },
  simulate: {
    summary: "publish realistic multi-channel interactions at a constant rate",
    usage:
      "cxpulse simulate [--rate N] [--customers M] [--duration S] [--seed N] [--malformed-ratio R] [--json-ratio R] [--nats-url URL] [--config FILE]",
    options: {
      config,
      "nats-url": natsUrl,
      rate: { type: "string" },
      customers: { type: "string" },
      duration: { type: "string" },
      seed: { type: "string" },
      "malformed-ratio": { type: "string" },
      "json-ratio": { type: "string" },
    },
    run: (values) => runSimulate(values),
  },
  demo: {
    summary: "NATS + engine + simulator + decide load in one command, with a live summary",
    usage: "cxpulse demo [--duration S] [--json] [--rate N] [--customers M] [--decide-rate N] [--config FILE]",
    options: {
      config,
      duration: { type: "string" },
      json: { type: "boolean" },
      rate: { type: "string" },
      customers: { type: "string" },
      "decide-rate": { type: "string" },
    },
    run: (values) => runDemo(values),
  },
  import: {
    summary: "load customers' history from a CSV or NDJSON file into the event stream",
    usage: "cxpulse import --file PATH [--format csv|ndjson] [--dry-run] [--json] [--nats-url URL] [--config FILE]",
    options: {
      config,
      "nats-url": natsUrl,
      file: { type: "string", short: "f" },
      format: { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
    },
    run: (values) => runImport(values),
  },
  "fit-bgnbd": {
    summary: "fit the probability-alive (BG/NBD) model to the customers of the last checkpoint; prints the config section",
    usage: "cxpulse fit-bgnbd [--nats-url URL] [--config FILE]",
    options: { config, "nats-url": natsUrl },
    run: (values) => runFitBgNbd(values),
  },
  evaluate: {
    summary: "check the online models on a CSV of customer history: prequential and holdout AUC, log loss, calibration",
    usage: "cxpulse evaluate --data FILE.csv --label COLUMN [--positive VALUE] [--ignore COL,COL] [--holdout 0.7] [--json]",
    options: {
      data: { type: "string" },
      label: { type: "string" },
      positive: { type: "string" },
      ignore: { type: "string" },
      holdout: { type: "string" },
      json: { type: "boolean" },
    },
    run: (values) => runEvaluate(values),
  },
  "simulate-strategies": {
    summary: "compare strategy configurations on a recorded log of events and decisions (off-policy: IPS and doubly robust)",
    usage:
      "cxpulse simulate-strategies --events FILE|jetstream:STREAM[:FROM-TO] --strategy a.yaml [--strategy b.yaml ...] [--format ndjson|msgpack] [--response-window 7d] [--json] [--nats-url URL] [--config FILE]",
    options: {
      config,
      "nats-url": natsUrl,
      events: { type: "string" },
      strategy: { type: "string", multiple: true },
      format: { type: "string" },
      "response-window": { type: "string" },
      json: { type: "boolean" },
    },
    run: (values) => runSimulateStrategies(values),
  },
  "check-config": {
    summary: "validate a configuration file and compile its rules",
    usage: "cxpulse check-config [--config FILE]",
    options: { config },
    run: (values) => runCheckConfig(values),
  },
  schema: {
    summary: "print the JSON Schema of inbound events",
    usage: "cxpulse schema",
    options: {},
    run: () => runSchema(),
  },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    "cxpulse: real-time customer-experience engine",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    "",
    "Run `cxpulse <command> --help` for its options.",
  ].join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(`${help()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`usage: ${command.usage}\n`);
    return 0;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...rest], options: command.options, strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | undefined>;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nusage: ${command.usage}\n`);
    return 2;
  }
  try {
    return await command.run(values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\nusage: ${command.usage}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CxError) {
      process.stderr.write(`cxpulse: ${error.message} [${error.code}]\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`cxpulse: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
