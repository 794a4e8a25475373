import Benchmark from "benchmark";
import { CHANNELS, encodeOutbound, type Channel, type DecideRequest } from "../../engine/index.js";
import { Rng } from "../../simulator/Rng.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";
import { BARE_DECODE, bareDecoder } from "./bareDecoder.js";
import { warmEngine } from "./benchEngine.js";
import { cyclicIndex, eventMix } from "./eventMix.js";
import { fiftyActionConfig } from "./fiftyActionCatalog.js";
import { reportSuite } from "./reportSuite.js";

/**
 * The decide path on a catalog of 50 actions: rank every action offered on the
 * channel whose eligibility holds, list the rest with their reasons, record the
 * decision in the customer's contact history. Customers are warm (the mix ingested);
 * requests name seeded customers, channels and page contexts.
 */
const mix = eventMix();
const { engine } = warmEngine(mix, fiftyActionConfig());
const REQUESTS = 10_000;
const PAGES = ["/", "/offers", "/support", "/account"] as const;
const rng = new Rng(2_000);
const requests: { request: DecideRequest; channel: Channel; body: Uint8Array }[] = [];
for (let i = 0; i < REQUESTS; i++) {
  const request: DecideRequest = { customerId: TrafficSimulator.customerId(rng.int(10_000)), context: { page: rng.pick(PAGES) } };
  requests.push({ request, channel: rng.pick(CHANNELS), body: encodeOutbound(request) });
}
const unpackr = bareDecoder();
const nextEvent = cyclicIndex(mix.payloads.length);
const nextRequest = cyclicIndex(REQUESTS);
let sink: unknown;

const suite = () =>
  new Benchmark.Suite("decide")
  .add(BARE_DECODE, () => {
    sink = unpackr.unpack(mix.payloads[nextEvent()]!);
  })
  .add("decideFor: rank 50 actions for a known customer", () => {
    const { request, channel } = requests[nextRequest()]!;
    sink = engine.decideFor(request, channel);
  })
  .add("decide: parse the request body, then decideFor", () => {
    const { channel, body } = requests[nextRequest()]!;
    sink = engine.decide(channel, body);
  });

await reportSuite(suite, () => sink);
