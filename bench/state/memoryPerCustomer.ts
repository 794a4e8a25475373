import { loadConfig } from "../../config/loadConfig.js";
import { compileDecisionConfig, encodeOutbound, Engine, ManualClock } from "../../engine/index.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";

/**
 * Bytes of memory per customer the engine holds: the default configuration, fed the
 * simulator's realistic mix (every event type and channel, skewed activity: some
 * customers once, some often) over 30 days of event time, every customer kept in
 * memory: `engine.hotCustomers` of them live (`--hot` to change it), the rest packed.
 * Checkpoints are cut, captured and committed every `--checkpoint-every` events, as the
 * Checkpointer does every few seconds (without writing them anywhere): only customers
 * whose changes are committed can be packed. Measured as the growth of the V8 heap plus
 * array buffers after full garbage collections, over the customers in memory: once
 * `--checkpoint-every` events after the last checkpoint (customers that left the live
 * tier since wait live for the next one), and once more right after a last checkpoint.
 *
 *   node --expose-gc --max-old-space-size=16384 --import tsx bench/state/memoryPerCustomer.ts [--customers N] [--events-per-customer K] [--hot H] [--checkpoint-every E]
 */
const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const customers = argument("--customers", 200_000);
const eventsPerCustomer = argument("--events-per-customer", 8);
const checkpointEvery = argument("--checkpoint-every", 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");

const config = loadConfig();
const DAY = 86_400_000;
const end = Date.UTC(2026, 10, 2);
const settings = { ...config.engine, maxCustomers: customers * 2, hotCustomers: argument("--hot", config.engine.hotCustomers) };
const engine = new Engine({
  settings,
  decisions: compileDecisionConfig(config.decisions, config.locate),
  clock: new ManualClock(end),
  output: { decision: () => undefined, rejected: () => undefined, requestDecisionRecorded: () => undefined, segmentChanged: () => undefined },
  eventSubjectPrefix: Subjects.eventsPrefix,
});

const used = () => {
  gc();
  gc();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.arrayBuffers;
};
const before = used();
const simulator = new TrafficSimulator({ seed: 7, customers, runId: "mem" });
const events = customers * eventsPerCustomer;
const span = 30 * DAY;
const started = performance.now();
for (let i = 0; i < events; i++) {
  const event = simulator.nextEvent(end - span + Math.floor((i * span) / events));
  engine.ingest(encodeOutbound(event), Subjects.event(event.channel, event.customerId), i + 1);
  if ((i + 1) % checkpointEvery === 0 && i + 1 < events) checkpoint();
}
const seconds = (performance.now() - started) / 1000;
const betweenCheckpoints = used();
checkpoint();

function checkpoint(): void {
  const cut = engine.beginCheckpoint();
  for (const customerId of cut.customerIds) engine.captureCustomer(cut, customerId);
  engine.commitCheckpoint(cut);
}
const after = used();
const inMemory = engine.customersInMemory;
process.stdout.write(
  `${JSON.stringify({
    customersSimulated: customers,
    customersInMemory: inMemory,
    live: inMemory - engine.customersPacked,
    packed: engine.customersPacked,
    packedEncodingBytesPerCustomer: Math.round(engine.packedBytes / Math.max(1, engine.customersPacked)),
    unpacked: engine.customersUnpacked,
    events,
    ingestSeconds: Math.round(seconds * 10) / 10,
    bytesPerCustomer: Math.round((after - before) / inMemory),
    bytesPerCustomerBetweenCheckpoints: Math.round((betweenCheckpoints - before) / inMemory),
    goalBytesPerCustomer: 1024,
  })}\n`,
);
