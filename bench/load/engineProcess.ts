import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { DEFAULT_CONFIG_PATH } from "../../config/loadConfig.js";
import { processUsage, type ProcessUsage } from "./processUsage.js";

export interface EngineRunSettings {
  readonly natsUrl: string;
  readonly httpPort: number;
  /** Customers the load addresses; the engine's memory bound is set above it so nothing is evicted. */
  readonly customers: number;
  readonly dataDir: string;
}

/**
 * Writes the engine's configuration for a load run: the default configuration (its
 * catalog, triggers and consumer settings, as shipped) with the benchmark's server,
 * a free metrics port, `warn` logging and a memory bound that fits the run.
 */
export function writeEngineConfig(settings: EngineRunSettings): string {
  const config = parse(readFileSync(DEFAULT_CONFIG_PATH, "utf8")) as Record<string, Record<string, unknown>>;
  config.engine!.maxCustomers = 2 * settings.customers;
  config.nats!.url = settings.natsUrl;
  config.nats!.dataDir = settings.dataDir;
  config.http = { host: "127.0.0.1", port: settings.httpPort };
  config.log = { level: "warn" };
  const file = join(settings.dataDir, "engine.yaml");
  writeFileSync(file, stringify(config));
  return file;
}

/** One look at the running engine: its position in the stream, its lag, and what it and nats-server use. */
export interface EngineSample {
  readonly atMs: number;
  /** `cx_consumer_last_sequence`: the stream sequence of the last message it handled. */
  readonly seq: number;
  /** `cx_consumer_lag_messages`: messages in the stream not yet delivered to it. */
  readonly lag: number;
  /** Longest event-loop delay since the previous sample (prom-client's `nodejs_eventloop_lag_max_seconds`, reset on each scrape). */
  readonly eventLoopDelayMaxMs: number;
  readonly engine: ProcessUsage;
  readonly natsServer: ProcessUsage;
}

/** Reads the engine's Prometheus endpoint and /proc, as an operator's tools would. */
export class EngineProbe {
  readonly #metricsUrl: string;
  readonly #readyUrl: string;
  readonly #enginePid: number;
  readonly #natsPid: number;

  constructor(httpPort: number, enginePid: number, natsPid: number) {
    this.#metricsUrl = `http://127.0.0.1:${httpPort}/metrics`;
    this.#readyUrl = `http://127.0.0.1:${httpPort}/readyz`;
    this.#enginePid = enginePid;
    this.#natsPid = natsPid;
  }

  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ready = await fetch(this.#readyUrl).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`the engine did not become ready in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async sample(): Promise<EngineSample> {
    const text = await (await fetch(this.#metricsUrl)).text();
    return {
      atMs: performance.now(),
      seq: gauge(text, "cx_consumer_last_sequence"),
      lag: gauge(text, "cx_consumer_lag_messages"),
      eventLoopDelayMaxMs: gauge(text, "nodejs_eventloop_lag_max_seconds") * 1000,
      engine: processUsage(this.#enginePid),
      natsServer: processUsage(this.#natsPid),
    };
  }
}

function gauge(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  if (match === null) throw new Error(`the engine's /metrics has no ${name}`);
  return Number(match[1]);
}

/** CPU cores a process kept busy between two samples (1 = one core all the time). */
export function coresBusy(from: EngineSample, to: EngineSample, which: "engine" | "natsServer"): number {
  return (to[which].cpuSeconds - from[which].cpuSeconds) / ((to.atMs - from.atMs) / 1000);
}
