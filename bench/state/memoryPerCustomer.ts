import { loadConfig } from "../../config/loadConfig.js";
import { compileDecisionConfig, encodeOutbound, Engine, ManualClock, stateLayoutFor } from "../../engine/index.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";

/**
 * Bytes of memory per customer the engine holds: the default configuration, fed the
 * simulator's realistic mix (every event type and channel, skewed activity: some
 * customers once, some often) over 30 days of event time, every customer kept in
 * memory. Measured as the growth of the V8 heap plus array buffers after full garbage
 * collections, over the customers in memory; split into the typed-array numbers every
 * state has (fixed by the layout) and the rest (objects, strings, histories).
 *
 *   node --expose-gc --max-old-space-size=16384 --import tsx bench/state/memoryPerCustomer.ts [--customers N] [--events-per-customer K]
 */
const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const customers = argument("--customers", 200_000);
const eventsPerCustomer = argument("--events-per-customer", 8);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");

const config = loadConfig();
const DAY = 86_400_000;
const end = Date.UTC(2026, 10, 2);
const settings = { ...config.engine, maxCustomers: customers * 2 };
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
}
const seconds = (performance.now() - started) / 1000;
const after = used();
const inMemory = engine.customersInMemory;
const bytesPerCustomer = (after - before) / inMemory;
const numberBytes = stateLayoutFor(settings).offsets.length * Float64Array.BYTES_PER_ELEMENT;
process.stdout.write(
  `${JSON.stringify({
    customersSimulated: customers,
    customersInMemory: inMemory,
    events,
    ingestSeconds: Math.round(seconds * 10) / 10,
    bytesPerCustomer: Math.round(bytesPerCustomer),
    numbersBytesPerCustomer: numberBytes,
    otherBytesPerCustomer: Math.round(bytesPerCustomer - numberBytes),
    goalBytesPerCustomer: 1024,
  })}\n`,
);
