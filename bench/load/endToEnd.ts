import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { loadConfig } from "../../config/loadConfig.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { freePort, NatsServerProcess } from "../../connectors/nats/NatsServerProcess.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { ChildProcesses } from "./ChildProcesses.js";
import { coresBusy, EngineProbe, writeEngineConfig, type EngineSample } from "./engineProcess.js";
import { drainWindow, PROGRESS_INTERVAL_MS, rateBetween } from "./progressRate.js";

/**
 * The end-to-end load benchmark over a real nats-server that it starts itself (free
 * port, temporary store), with every party in its own process: nats-server, the
 * engine (`cxpulse start`), a load generator, a decide client and the baseline, a
 * no-op consumer. Two scenarios:
 *
 * 1. throughput: preload the stream, then time the no-op consumer and the engine
 *    draining the same messages; the engine's rate over the no-op's is the ratio.
 * 2. decide under load: the load generator publishes INGEST_RATE events/s while the
 *    decide client asks DECIDE_RATE decisions/s, open loop, for a fixed time; report
 *    the engine's sustained rate, its lag, decide latency and the engine's CPU and RSS.
 *
 * Prints the result as one JSON line with `--json` (for bench/run.ts), else readably.
 */
export interface EndToEndResult {
  readonly customers: number;
  readonly preload: { readonly events: number; readonly seconds: number; readonly eventsPerSecond: number };
  readonly throughput: {
    readonly events: number;
    readonly noopConsumerEventsPerSecond: number;
    readonly noopConsumerCpuCores: number;
    readonly engineEventsPerSecond: number;
    readonly engineOverNoop: number;
    readonly engineCpuCores: number;
    readonly natsServerCpuCores: number;
    readonly enginePeakRssMiB: number;
  };
  readonly decideUnderLoad: {
    readonly seconds: number;
    readonly offeredEventsPerSecond: number;
    readonly loadGeneratorCpuCores: number;
    readonly engineEventsPerSecond: number;
    /** Engine rate over the offered rate: below 1 means it fell behind. */
    readonly appliedOverOffered: number;
    readonly maxLagMessages: number;
    /** The engine's longest event-loop delay during the load: how long a request could wait for the process to look at it. */
    readonly engineEventLoopDelayMaxMs: number;
    /** From the load generator's last publish until the engine had handled everything; null if not within CATCH_UP_LIMIT_MS. */
    readonly catchUpMs: number | null;
    readonly decideRequestsPerSecond: number;
    readonly decideRequests: number;
    readonly decideErrors: number;
    readonly decideFromIntendedMs: Percentiles;
    readonly decideFromSentMs: Percentiles;
    readonly engineCpuCores: number;
    readonly natsServerCpuCores: number;
    readonly enginePeakRssMiB: number;
  };
}

interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

interface LoadResult {
  readonly sent: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly cpuCores: number;
}

interface DecideResult {
  readonly sent: number;
  readonly seconds: number;
  readonly answered: number;
  readonly errors: number;
  readonly fromIntendedMs: Percentiles;
  readonly fromSentMs: Percentiles;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const script = (name: string) => join(repoRoot, "bench", "load", name);
const CUSTOMERS = 100_000;
/** Events/s offered while decide requests run; `--ingest-rate N` measures decide latency at a rate the engine sustains. */
const INGEST_RATE = Number(argument("--ingest-rate") ?? 50_000);
const DECIDE_RATE = 2_000;
/** How long to wait, after the load, for the engine to catch up: a longer wait says nothing more about the engine. */
const CATCH_UP_LIMIT_MS = 15_000;
/** Between telling the load processes the start time and that time: enough for a pipe write on a busy machine. */
const START_DELAY_MS = 200;

async function runEndToEnd(quick: boolean): Promise<EndToEndResult> {
  const preloadEvents = quick ? 200_000 : 3_000_000;
  const loadSeconds = quick ? 10 : 30;
  const config = loadConfig();
  const workDir = mkdtempSync(join(tmpdir(), "cxpulse-bench-"));
  const children = new ChildProcesses();
  const nats = await NatsServerProcess.start({ storeDir: join(workDir, "nats") });
  try {
    const nc = await connect({ servers: nats.url, name: "bench-orchestrator" });
    await ensureStream(nc, config.nats.stream, [Subjects.eventsAll]);
    const jsm = await jetstreamManager(nc);

    progress(`preloading ${preloadEvents.toLocaleString("en-US")} events`);
    const common = ["--url", nats.url, "--customers", String(CUSTOMERS)];
    const preload = await children.start(script("loadGenerator.ts"), [...common, "--seed", "1", "--count", String(preloadEvents)]).result<LoadResult>();
    await waitFor(async () => (await jsm.streams.info(config.nats.stream.name)).state.messages >= preloadEvents, 30_000, "the stream to hold the preload");

    progress("baseline: a no-op consumer drains the stream");
    const noop = await children
      .start(script("noopConsumer.ts"), [
        "--url", nats.url,
        "--stream", config.nats.stream.name,
        "--count", String(preloadEvents),
        "--max-messages", String(config.nats.consumer.maxMessages),
      ])
      .result<{ messagesPerSecond: number; cpuCores: number }>();

    progress("the engine drains the stream");
    const httpPort = await freePort();
    const configFile = writeEngineConfig({ natsUrl: nats.url, httpPort, customers: CUSTOMERS, dataDir: workDir });
    const engine = children.start(join(repoRoot, "cli", "main.ts"), ["start", "--config", configFile], { cwd: repoRoot });
    const probe = new EngineProbe(httpPort, engine.pid, nats.pid!);
    await Promise.race([probe.waitUntilReady(60_000), engine.exited.then((code) => Promise.reject(new Error(`the engine exited (code ${code}) before it was ready`)))]);
    const drainSamples = await sampleUntil(probe, (sample) => sample.seq >= preloadEvents);
    const drain = drainWindow(drainSamples, preloadEvents);
    const engineRate = rateBetween(drain.first, drain.last);

    progress(`decide under load: ${INGEST_RATE.toLocaleString("en-US")} events/s and ${DECIDE_RATE.toLocaleString("en-US")} decide requests/s for ${loadSeconds} s`);
    const duration = ["--duration", String(loadSeconds)];
    const decideClient = children.start(script("decideClient.ts"), [...common, "--rate", String(DECIDE_RATE), ...duration]);
    const loader = children.start(script("loadGenerator.ts"), [...common, "--seed", "2", "--rate", String(INGEST_RATE), ...duration]);
    await Promise.all([decideClient.ready, loader.ready]);
    const startAt = Date.now() + START_DELAY_MS;
    decideClient.startAt(startAt);
    loader.startAt(startAt);
    await new Promise((resolve) => setTimeout(resolve, START_DELAY_MS));
    let loadDone = false;
    const loadResults = Promise.all([loader.result<LoadResult>(), decideClient.result<DecideResult>()]).finally(() => (loadDone = true));
    const loadSamples = await sampleUntil(probe, () => loadDone, (loadSeconds + 60) * 1000);
    const [offered, decide] = await loadResults;
    const loadEnd = performance.now();
    const target = preloadEvents + offered.sent;
    const caughtUp = (await sampleUntil(probe, (sample) => sample.seq >= target || sample.atMs - loadEnd > CATCH_UP_LIMIT_MS)).at(-1)!;
    const catchUpMs = caughtUp.seq >= target ? Math.round(Math.max(0, caughtUp.atMs - loadEnd)) : null;
    await engine.stop();
    await nc.close();

    const loadFirst = loadSamples[0]!;
    const loadLast = loadSamples.at(-1)!;
    const engineLoadRate = rateBetween(loadFirst, loadLast);
    return {
      customers: CUSTOMERS,
      preload: { events: preload.sent, seconds: round(preload.seconds, 2), eventsPerSecond: preload.eventsPerSecond },
      throughput: {
        events: preloadEvents,
        noopConsumerEventsPerSecond: noop.messagesPerSecond,
        noopConsumerCpuCores: noop.cpuCores,
        engineEventsPerSecond: Math.round(engineRate),
        engineOverNoop: round(engineRate / noop.messagesPerSecond, 3),
        engineCpuCores: round(coresBusy(drain.first, drain.last, "engine"), 2),
        natsServerCpuCores: round(coresBusy(drain.first, drain.last, "natsServer"), 2),
        enginePeakRssMiB: Math.round(drainSamples.at(-1)!.engine.peakRssMiB),
      },
      decideUnderLoad: {
        seconds: round(offered.seconds, 2),
        offeredEventsPerSecond: offered.eventsPerSecond,
        loadGeneratorCpuCores: offered.cpuCores,
        engineEventsPerSecond: Math.round(engineLoadRate),
        appliedOverOffered: round(engineLoadRate / offered.eventsPerSecond, 3),
        maxLagMessages: Math.max(...loadSamples.map((sample) => sample.lag)),
        engineEventLoopDelayMaxMs: Math.round(Math.max(...loadSamples.map((sample) => sample.eventLoopDelayMaxMs))),
        catchUpMs,
        decideRequestsPerSecond: Math.round(decide.sent / decide.seconds),
        decideRequests: decide.sent,
        decideErrors: decide.errors,
        decideFromIntendedMs: decide.fromIntendedMs,
        decideFromSentMs: decide.fromSentMs,
        engineCpuCores: round(coresBusy(loadFirst, loadLast, "engine"), 2),
        natsServerCpuCores: round(coresBusy(loadFirst, loadLast, "natsServer"), 2),
        enginePeakRssMiB: Math.round(loadLast.engine.peakRssMiB),
      },
    };
  } finally {
    children.dispose();
    await nats.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Samples the engine every PROGRESS_INTERVAL_MS until `done` says so; fails after `timeoutMs`. */
async function sampleUntil(probe: EngineProbe, done: (sample: EngineSample) => boolean, timeoutMs = 5 * 60_000): Promise<EngineSample[]> {
  const samples: EngineSample[] = [];
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const sample = await probe.sample();
    samples.push(sample);
    if (done(sample)) return samples;
    if (performance.now() > deadline) throw new Error(`the engine did not finish in ${timeoutMs} ms (at sequence ${sample.seq})`);
    await new Promise((resolve) => setTimeout(resolve, PROGRESS_INTERVAL_MS));
  }
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

function progress(line: string): void {
  process.stderr.write(`bench end-to-end: ${line}\n`);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

const result = await runEndToEnd(process.argv.includes("--quick"));
process.stdout.write(process.argv.includes("--json") ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
