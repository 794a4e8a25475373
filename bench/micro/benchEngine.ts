import { loadConfig, type CxConfig } from "../../config/loadConfig.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { compileDecisionConfig, Engine, ManualClock, type EngineOutput, type EngineSettings } from "../../engine/index.js";
import { MIX_SPAN_MS, MIX_START_TS, type EventMix } from "./eventMix.js";

/** Discards the engine's effects: the micro-benchmarks measure the engine, not a publisher. */
const DISCARD: EngineOutput = {
  decision: () => undefined,
  rejected: () => undefined,
  requestDecisionRecorded: () => undefined, segmentChanged: () => undefined,
};

export interface WarmEngine {
  readonly engine: Engine;
  readonly settings: EngineSettings;
  readonly clock: ManualClock;
  readonly config: CxConfig;
}

/**
 * An engine as the micro-benchmarks use it: the given configuration (the default one
 * unless said otherwise), a manual clock at the end of the mix's hour, and one pass over
 * the mix already ingested, so every customer exists and the code is warm. Lateness
 * covers twice the mix's hour, so cycling through the mix again keeps every event on time.
 */
export function warmEngine(mix: EventMix, config: CxConfig = loadConfig()): WarmEngine {
  const clock = new ManualClock(MIX_START_TS + MIX_SPAN_MS);
  const settings: EngineSettings = { ...config.engine, allowedLatenessMs: 2 * MIX_SPAN_MS };
  const engine = new Engine({
    settings,
    decisions: compileDecisionConfig(config.decisions, config.locate),
    clock,
    output: DISCARD,
    eventSubjectPrefix: Subjects.eventsPrefix,
  });
  for (let i = 0; i < mix.payloads.length; i++) engine.ingest(mix.payloads[i]!, mix.subjects[i]!, i + 1);
  return { engine, settings, clock, config };
}
