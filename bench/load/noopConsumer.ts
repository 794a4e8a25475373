import { parseArgs } from "node:util";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Subjects } from "../../connectors/nats/subjects.js";
import { drainWindow, PROGRESS_INTERVAL_MS, rateBetween, type ProgressSample } from "./progressRate.js";

/**
 * The end-to-end baseline: a consumer that does nothing with the events, reading the
 * stream exactly as the engine's EventConsumer does (an ordered pull consumer from the
 * first sequence, the same `max_messages`, a callback per message touching `seq` and
 * `data`), so its rate is what the NATS client library can deliver on this machine.
 * Prints `{ messagesPerSecond, cpuCores, messages, bytes }` when it has read `--count` messages.
 */
const { values } = parseArgs({
  options: { url: { type: "string" }, stream: { type: "string" }, count: { type: "string" }, "max-messages": { type: "string" } },
});
const total = Number(values.count);
const nc = await connect({ servers: values.url!, name: "bench-noop-consumer" });
const consumer = await jetstream(nc).consumers.get(values.stream!, { filter_subjects: Subjects.eventsAll, opt_start_seq: 1 });

let lastSeq = 0;
let bytes = 0;
const samples: (ProgressSample & { cpuUs: number })[] = [];
const sampler = setInterval(() => {
  const cpu = process.cpuUsage();
  samples.push({ atMs: performance.now(), seq: lastSeq, cpuUs: cpu.user + cpu.system });
}, PROGRESS_INTERVAL_MS);
let markDrained = () => {};
const drained = new Promise<void>((resolve) => (markDrained = resolve));
const messages = await consumer.consume({
  max_messages: Number(values["max-messages"]),
  callback: (message) => {
    lastSeq = message.seq;
    bytes += message.data.length;
    if (lastSeq >= total) markDrained();
  },
});
await drained;
clearInterval(sampler);
await messages.close();
await nc.close();
const { first, last } = drainWindow(samples, total);
const cpuCores = (last.cpuUs - first.cpuUs) / 1000 / (last.atMs - first.atMs);
process.stdout.write(`${JSON.stringify({ messagesPerSecond: Math.round(rateBetween(first, last)), cpuCores: Math.round(cpuCores * 100) / 100, messages: lastSeq, bytes })}\n`);
