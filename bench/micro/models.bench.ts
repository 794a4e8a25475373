import Benchmark from "benchmark";
import { CUSTOMER_FEATURE_COUNT, customerFeatures, FeatureVector, FtrlLogistic, ModelQuality, type CustomerState } from "../../engine/index.js";
import { BARE_DECODE, bareDecoder } from "./bareDecoder.js";
import { warmEngine } from "./benchEngine.js";
import { cyclicIndex, eventMix } from "./eventMix.js";
import { reportSuite } from "./reportSuite.js";

/**
 * The online models on the customers of the mix: building a customer's feature vector
 * from its state and scoring it (what a decision does per action model), and learning
 * one label from a vector kept from decision time, with the quality window's observe.
 * The model has learned one pass over the customers first (labels: a seeded rule on
 * the state, so weights are not all zero) so every slot the features reach is warm.
 */
const mix = eventMix();
const { engine, settings } = warmEngine(mix);
const states = [...new Set(mix.events.map((event) => event.customerId))].map((id) => engine.customerState(id) as CustomerState);
const now = engine.watermark;
const model = new FtrlLogistic({ baseRate: 0.1 });
const quality = new ModelQuality();
const kept = states.map((state) => customerFeatures(state, now, settings.lifecycle, new FeatureVector(model.bits, CUSTOMER_FEATURE_COUNT)));
const labels = states.map((state, i) => (state.serviceCalls > 0 || i % 7 === 0 ? 1 : 0) as 0 | 1);
for (let i = 0; i < kept.length; i++) model.update(kept[i]!, labels[i]!);
process.stderr.write(`models: ${states.length} customers, ${kept[0]!.length} features each\n`);

const x = new FeatureVector(model.bits, CUSTOMER_FEATURE_COUNT);
const unpackr = bareDecoder();
const nextEvent = cyclicIndex(mix.payloads.length);
const nextState = cyclicIndex(states.length);
const nextKept = cyclicIndex(kept.length);
let sink: unknown;

const suite = () =>
  new Benchmark.Suite("models")
  .add(BARE_DECODE, () => {
    sink = unpackr.unpack(mix.payloads[nextEvent()]!);
  })
  .add("customer features + predict: build one customer's vector and score it", () => {
    sink = model.predict(customerFeatures(states[nextState()]!, now, settings.lifecycle, x));
  })
  .add("update: learn one label from a kept vector, and observe its quality", () => {
    const i = nextKept();
    quality.observe(model.update(kept[i]!, labels[i]!), labels[i]!);
  });

await reportSuite(suite, () => sink);
