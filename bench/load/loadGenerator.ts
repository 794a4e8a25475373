import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";
import { waitForStart } from "./startSignal.js";

/**
 * The load generator, a process of its own so its CPU is not the engine's: simulated
 * traffic (every event type and channel, MessagePack) published with core NATS into the
 * stream's subjects, the fastest way to fill a JetStream stream.
 *
 * - `--count N`: preload N events as fast as the server takes them. A flush (a
 *   round trip) every FLUSH_EVERY messages keeps the socket buffer bounded; one flush
 *   is left in flight while the next batch is written, so the pipe never runs dry.
 * - `--rate R --duration S`: R events/s for S seconds from the common start (see startSignal.ts),
 *   open loop: every TICK_MS it sends what is due since the start, whatever the engine
 *   does. The events are generated and encoded before the start: generating costs
 *   more CPU than publishing, and on a 2-core machine every bit of CPU the generator
 *   takes during the measurement is taken from the engine and nats-server.
 *
 * Prints `{ sent, seconds, eventsPerSecond, cpuCores }`, measured from the start to the
 * last publish (the flush that follows only confirms delivery).
 */
const FLUSH_EVERY = 10_000;
const TICK_MS = 5;

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    customers: { type: "string" },
    seed: { type: "string" },
    count: { type: "string" },
    rate: { type: "string" },
    duration: { type: "string" },
  },
});
const nc = await connect({ servers: values.url!, name: "bench-load-generator" });
const seed = Number(values.seed);
const simulator = new TrafficSimulator({ seed, customers: Number(values.customers), runId: `load${seed}` });

let sent = 0;
let seconds = 0;
let cpuCores = 0;
let startedAt = 0;
let startCpu = process.cpuUsage();
const begin = () => {
  startedAt = performance.now();
  startCpu = process.cpuUsage();
};
const finish = () => {
  seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(startCpu);
  cpuCores = (cpu.user + cpu.system) / 1e6 / seconds;
};
if (values.count !== undefined) {
  const count = Number(values.count);
  begin();
  let inFlight: Promise<void> = Promise.resolve();
  while (sent < count) {
    const ts = Date.now();
    const batchEnd = Math.min(count, sent + FLUSH_EVERY);
    for (; sent < batchEnd; sent++) {
      const message = simulator.nextMessage(ts);
      nc.publish(message.subject, message.data);
    }
    await inFlight;
    inFlight = nc.flush();
  }
  await inFlight;
  finish();
} else {
  const rate = Number(values.rate);
  const ts = Date.now();
  const messages = Array.from({ length: Math.round(rate * Number(values.duration)) }, () => simulator.nextMessage(ts));
  await waitForStart();
  begin();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(messages.length, Math.floor(((performance.now() - startedAt) / 1000) * rate));
      for (; sent < due; sent++) nc.publish(messages[sent]!.subject, messages[sent]!.data);
      if (sent === messages.length) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  finish();
  await nc.flush();
}
await nc.close();
process.stdout.write(`${JSON.stringify({ sent, seconds, eventsPerSecond: Math.round(sent / seconds), cpuCores: Math.round(cpuCores * 100) / 100 })}\n`);
