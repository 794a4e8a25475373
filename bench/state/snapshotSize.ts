import { encodeCustomer, decodeCustomer } from "../../engine/checkpoint/CustomerSnapshot.js";
import { stateLayoutFor } from "../../engine/index.js";
import { CustomerState } from "../../engine/state/CustomerState.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";
import { benchEngine, ingestSimulatedMonth, numberArgument } from "./simulatedMonth.js";

/**
 * Bytes of one customer's encoded state (what a checkpoint writes per customer, see
 * engine/checkpoint/CustomerSnapshot.ts), and the time to encode and decode it: the
 * default configuration fed a simulated month (simulatedMonth.ts)
 * (8 events per customer over 30 days of event time). Prints the mean, p50 and p90
 * size and the mean encode and decode time per customer: the best of three timed
 * passes over all customers after a warm-up pass (another process's load only ever
 * slows a pass down).
 *
 *   node --max-old-space-size=16384 --import tsx bench/state/snapshotSize.ts [--customers N] [--events-per-customer K]
 */
const customers = numberArgument("--customers", 100_000);
const eventsPerCustomer = numberArgument("--events-per-customer", 8);

const engine = benchEngine({ maxCustomers: customers * 2, hotCustomers: customers * 2 });
ingestSimulatedMonth(engine, customers, eventsPerCustomer);

const layout = stateLayoutFor(engine.settings);
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
