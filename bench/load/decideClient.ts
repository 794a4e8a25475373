import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import type { Histogram } from "hdr-histogram-js";
import type { Channel } from "../../engine/index.js";
import { DecideRequester } from "../../simulator/DecideRequester.js";
import { waitForStart } from "./startSignal.js";

/**
 * The decide load: `cx.decide.<channel>` requests at a fixed rate for a fixed time, in
 * a process of its own, with latency recorded in HdrHistograms from each request's
 * intended send time (so a stalled engine shows up as latency, not as fewer requests)
 * and, for comparison, from the moment it was actually sent.
 * Prints `{ sent, seconds, answered, errors, fromIntendedMs, fromSentMs }` with p50/p99/p99.9/max.
 */
const DECIDE_CHANNELS: readonly Channel[] = ["web", "app", "callcenter", "branch"];

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    customers: { type: "string" },
    rate: { type: "string" },
    duration: { type: "string" },
  },
});
const nc = await connect({ servers: values.url!, name: "bench-decide-client" });
const requester = new DecideRequester({
  nc,
  ratePerSecond: Number(values.rate),
  customers: Number(values.customers),
  channels: DECIDE_CHANNELS,
  timeoutMs: 10_000,
});
await waitForStart();
const startedAt = performance.now();
requester.start();
await new Promise((resolve) => setTimeout(resolve, Number(values.duration) * 1000));
const seconds = (performance.now() - startedAt) / 1000;
await requester.stop();
await nc.close();
process.stdout.write(
  `${JSON.stringify({
    sent: requester.sent,
    seconds,
    answered: requester.answered,
    errors: requester.errors,
    fromIntendedMs: percentilesMs(requester.latencyUs),
    fromSentMs: percentilesMs(requester.responseUs),
  })}\n`,
);

function percentilesMs(histogram: Histogram): { p50: number; p99: number; p999: number; max: number } {
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    p50: ms(histogram.getValueAtPercentile(50)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
  };
}
