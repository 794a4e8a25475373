import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../config/loadConfig.js";
import { createLogger } from "../../connectors/log/createLogger.js";
import { RateLimitedLog } from "../../connectors/log/RateLimitedLog.js";
import { AckedPublisher } from "../../connectors/nats/AckedPublisher.js";
import { Checkpointer, type CheckpointResult } from "../../connectors/nats/Checkpointer.js";
import { CheckpointStore } from "../../connectors/nats/CheckpointStore.js";
import { connectNats } from "../../connectors/nats/connectNats.js";
import { CustomerLoader } from "../../connectors/nats/CustomerLoader.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { NatsServerProcess } from "../../connectors/nats/NatsServerProcess.js";
import { recoverEngine } from "../../connectors/nats/recoverEngine.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { compileDecisionConfig, Engine, ManualClock } from "../../engine/index.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";

/**
 * Checkpoint cost and recovery time at scale (default one million customers):
 * a full checkpoint of every customer, an incremental one after a day of traffic on a
 * tenth of them, and a recovery of the lot into a fresh engine, against a real
 * nats-server with its store on local disk. Run with a large heap:
 *
 *   node --max-old-space-size=16384 --import tsx bench/checkpoint/recovery.ts [--customers N] [--json]
 */
const customers = Number(process.argv[process.argv.indexOf("--customers") + 1]) || 1_000_000;
const json = process.argv.includes("--json");
const say = (line: string) => process.stderr.write(`${line}\n`);

const storeDir = mkdtempSync(join(tmpdir(), "cxpulse-recovery-bench-"));
const server = await NatsServerProcess.start({ storeDir });
const config = loadConfig();
const log = createLogger("warn", 2);
const now = Date.now();
const clock = new ManualClock(now);

function newEngine(): Engine {
  return new Engine({
    settings: { ...config.engine, maxCustomers: customers + 1 },
    decisions: compileDecisionConfig(config.decisions, config.locate),
    clock,
    output: { decision: () => undefined, rejected: () => undefined, requestDecisionRecorded: () => undefined, segmentChanged: () => undefined },
    eventSubjectPrefix: Subjects.eventsPrefix,
  });
}

async function storage() {
  const nc = await connectNats({ servers: server.url, name: "recovery-bench" });
  await ensureStream(nc, config.nats.decisionStream, [Subjects.decisionsAll, Subjects.decisionLogAll]);
  const store = await CheckpointStore.open(nc, { ...config.checkpoint, replicas: 1 });
  return { nc, store };
}

function checkpointerFor(engine: Engine, parts: Awaited<ReturnType<typeof storage>>): Checkpointer {
  const publisher = new AckedPublisher(parts.nc, new RateLimitedLog(log));
  return new Checkpointer({
    engine,
    store: parts.store,
    decisions: publisher,
    publishers: [publisher],
    intervalMs: 3_600_000,
    log,
    observer: { committed: () => undefined, failed: () => undefined },
  });
}

try {
  // Every customer signs up, then a mixed history: four events per customer in all.
  say(`building ${customers.toLocaleString("en-US")} customers...`);
  const heapBefore = process.memoryUsage().heapUsed;
  const engine = newEngine();
  const simulator = new TrafficSimulator({ seed: 1, customers, runId: "bench" });
  const start = now - 30 * 86_400_000;
  const events = customers * 4;
  for (let seq = 1; seq <= events; seq++) {
    const message = simulator.nextMessage(start + Math.floor((seq * 29 * 86_400_000) / events));
    engine.ingest(message.data, message.subject, seq);
  }
  const heapAfter = process.memoryUsage().heapUsed;
  const bytesPerCustomer = Math.round((heapAfter - heapBefore) / engine.customersInMemory);
  say(`${engine.customersInMemory.toLocaleString("en-US")} customers in memory, about ${bytesPerCustomer} heap bytes each`);

  const writer = await storage();
  const checkpointer = checkpointerFor(engine, writer);
  say("full checkpoint...");
  const full: CheckpointResult = await checkpointer.checkpoint();
  say(`  ${full.customers} customers, ${(full.bytes / 2 ** 20).toFixed(0)} MiB in ${(full.durationMs / 1000).toFixed(1)} s; longest pause ${full.longestPauseMs.toFixed(1)} ms`);

  // A tenth of the customers active again, then an incremental checkpoint.
  let seq = events;
  const increment = new TrafficSimulator({ seed: 2, customers: Math.floor(customers / 10), runId: "day2" });
  for (let i = 0; i < customers / 10; i++) {
    const message = increment.nextMessage(now - 3_600_000 + i);
    engine.ingest(message.data, message.subject, ++seq);
  }
  say("incremental checkpoint...");
  const incremental = await checkpointer.checkpoint();
  say(`  ${incremental.customers} customers, ${(incremental.bytes / 2 ** 20).toFixed(1)} MiB in ${(incremental.durationMs / 1000).toFixed(2)} s; longest pause ${incremental.longestPauseMs.toFixed(1)} ms`);
  await writer.nc.drain();

  say("recovery into a fresh engine...");
  const reader = await storage();
  const recovered = newEngine();
  const recovery = await recoverEngine({
    nc: reader.nc,
    engine: recovered,
    store: reader.store,
    loader: new CustomerLoader(recovered, reader.store, new RateLimitedLog(log)),
    decisionStream: config.nats.decisionStream.name,
  });
  await reader.nc.drain();
  say(`  ${recovery.customersRestored} customers in ${(recovery.durationMs / 1000).toFixed(1)} s, resuming at ${recovery.startSeq}`);
  if (recovery.customersRestored !== engine.customersInMemory || recovery.startSeq !== seq + 1) {
    throw new Error(`recovery restored ${recovery.customersRestored} customers at ${recovery.startSeq}; expected ${engine.customersInMemory} at ${seq + 1}`);
  }

  const result = {
    customers: engine.customersInMemory,
    heapBytesPerCustomer: bytesPerCustomer,
    fullCheckpoint: summary(full),
    incrementalCheckpoint: summary(incremental),
    recovery: { customers: recovery.customersRestored, seconds: round(recovery.durationMs / 1000, 2), customersPerSecond: Math.round(recovery.customersRestored / (recovery.durationMs / 1000)) },
  };
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await server.stop();
  rmSync(storeDir, { recursive: true, force: true });
}

function summary(result: CheckpointResult) {
  return {
    customers: result.customers,
    mebibytes: round(result.bytes / 2 ** 20, 1),
    bytesPerCustomer: Math.round(result.bytes / Math.max(1, result.customers)),
    seconds: round(result.durationMs / 1000, 2),
    captureSeconds: round(result.captureMs / 1000, 2),
    longestPauseMs: round(result.longestPauseMs, 2),
  };
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
