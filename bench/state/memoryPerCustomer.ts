import { loadConfig } from "../../config/loadConfig.js";
import { benchEngine, ingestSimulatedMonth, numberArgument } from "./simulatedMonth.js";

/**
 * Bytes of memory per customer the engine holds: the default configuration fed a
 * simulated month (simulatedMonth.ts), every customer kept in memory:
 * `engine.hotCustomers` of them live (`--hot` to change it), the rest packed.
 * Checkpoints are cut, captured and committed every `--checkpoint-every` events, as the
 * Checkpointer does every few seconds (without writing them anywhere): what a cut holds
 * is kept until it commits. Measured as the growth of the V8 heap plus array buffers
 * after full garbage collections, over the customers in memory: once
 * `--checkpoint-every` events after the last checkpoint, and once more right after a
 * last checkpoint. Also prints how long the ingest loop took.
 *
 *   node --expose-gc --max-old-space-size=16384 --import tsx bench/state/memoryPerCustomer.ts [--customers N] [--events-per-customer K] [--hot H] [--checkpoint-every E]
 */
const customers = numberArgument("--customers", 200_000);
const eventsPerCustomer = numberArgument("--events-per-customer", 8);
const checkpointEvery = numberArgument("--checkpoint-every", 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");

const engine = benchEngine({ maxCustomers: customers * 2, hotCustomers: numberArgument("--hot", loadConfig().engine.hotCustomers) });

const used = () => {
  gc();
  gc();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.arrayBuffers;
};
const before = used();
const events = customers * eventsPerCustomer;
const started = performance.now();
ingestSimulatedMonth(engine, customers, eventsPerCustomer, (ingested) => {
  if (ingested % checkpointEvery === 0 && ingested < events) checkpoint();
});
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
