import { loadConfig } from "../../config/loadConfig.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { compileDecisionConfig, encodeOutbound, Engine, ManualClock, type EngineSettings } from "../../engine/index.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 2);

/** `--name value` from the command line, or `fallback`. */
export function numberArgument(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

/** An engine on the default configuration with `settings` over it, its output dropped. */
export function benchEngine(settings: Partial<EngineSettings>): Engine {
  const config = loadConfig();
  return new Engine({
    settings: { ...config.engine, ...settings },
    decisions: compileDecisionConfig(config.decisions, config.locate),
    clock: new ManualClock(END),
    output: { decision: () => undefined, rejected: () => undefined, requestDecisionRecorded: () => undefined, segmentChanged: () => undefined },
    eventSubjectPrefix: Subjects.eventsPrefix,
  });
}

/**
 * Feeds `engine` the simulator's realistic mix (every event type and channel, skewed
 * activity: some customers once, some often) for `customers` customers,
 * `eventsPerCustomer` events each on average, spread evenly over the 30 days of event
 * time before the engine's clock; `afterEach` runs after every event with its count.
 */
export function ingestSimulatedMonth(engine: Engine, customers: number, eventsPerCustomer: number, afterEach?: (ingested: number) => void): void {
  const simulator = new TrafficSimulator({ seed: 7, customers, runId: "mem" });
  const events = customers * eventsPerCustomer;
  const span = 30 * DAY;
  for (let i = 0; i < events; i++) {
    const event = simulator.nextEvent(END - span + Math.floor((i * span) / events));
    engine.ingest(encodeOutbound(event), Subjects.event(event.channel, event.customerId), i + 1);
    afterEach?.(i + 1);
  }
}
