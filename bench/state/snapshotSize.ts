import { loadConfig } from "../../config/loadConfig.js";
import { encodeCustomer, decodeCustomer } from "../../engine/checkpoint/CustomerSnapshot.js";
import { compileDecisionConfig, encodeOutbound, Engine, ManualClock, stateLayoutFor } from "../../engine/index.js";
import { CustomerState } from "../../engine/state/CustomerState.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";

/**
 * Bytes of one customer's encoded state (what a checkpoint writes per customer, see
 * engine/checkpoint/CustomerSnapshot.ts), and the time to encode and decode it: the
 * default configuration fed the simulator's realistic mix, as in memoryPerCustomer.ts
 * (8 events per customer over 30 days of event time). Prints the mean, p50 and p90
 * size and the mean encode and decode time per customer: the best of three timed
 * passes over all customers after a warm-up pass (another process's load only ever
 * slows a pass down).
 *
 *   node --max-old-space-size=16384 --import tsx bench/state/snapshotSize.ts [--customers N] [--events-per-customer K]
 */
const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const customers = argument("--customers", 100_000);
const eventsPerCustomer = argument("--events-per-customer", 8);

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
const simulator = new TrafficSimulator({ seed: 7, customers, runId: "size" });
const events = customers * eventsPerCustomer;
const span = 30 * DAY;
for (let i = 0; i < events; i++) {
  const event = simulator.nextEvent(end - span + Math.floor((i * span) / events));
  engine.ingest(encodeOutbound(event), Subjects.event(event.channel, event.customerId), i + 1);
}

const layout = stateLayoutFor(settings);
const initial = new CustomerState("", layout);
const states: CustomerState[] = [];
for (let i = 0; i < customers; i++) {
  const state = engine.customerState(TrafficSimulator.customerId(i));
  if (state !== undefined) states.push(state);
}

/** Mean µs per customer of `run` over every state: the best of three passes, after a warm-up pass. */
function microsPerCustomer(run: (i: number) => void): number {
  for (let i = 0; i < states.length; i++) run(i);
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 3; pass++) {
    const started = performance.now();
    for (let i = 0; i < states.length; i++) run(i);
    best = Math.min(best, performance.now() - started);
  }
  return (best * 1000) / states.length;
}

const encoded = states.map((state) => encodeCustomer(state, initial));
const sizes = encoded.map((bytes) => bytes.length).sort((a, b) => a - b);
const encodeMicros = microsPerCustomer((i) => encodeCustomer(states[i]!, initial));
const decodeMicros = microsPerCustomer((i) => decodeCustomer(encoded[i]!, layout));
const round = (value: number) => Math.round(value * 10) / 10;
process.stdout.write(
  `${JSON.stringify({
    customers: states.length,
    meanBytes: round(sizes.reduce((sum, size) => sum + size, 0) / sizes.length),
    p50Bytes: sizes[Math.floor(sizes.length * 0.5)],
    p90Bytes: sizes[Math.floor(sizes.length * 0.9)],
    maxBytes: sizes[sizes.length - 1],
    encodeMicros: round(encodeMicros),
    decodeMicros: round(decodeMicros),
  })}\n`,
);
