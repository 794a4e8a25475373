import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../config/loadConfig.js";
import { compileDecisionConfig } from "../../../engine/index.js";
import { anEvent, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

const HOUR = 3_600_000;

const config = (when: string, segments = "segments: []") => `
version: metric-1
${segments}
actions:
  - { id: recovery-call, kind: service, channels: [callcenter], value: 50 }
triggers:
  - { id: base-sinking, on: [survey], when: '${when}', action: recovery-call, channel: callcenter }
`;

describe("baseMetric: metric conditions in rules", () => {
  it("fires on a condition over the whole base's metrics, read as of the event-time hour", () => {
    const d = new EngineDriver({ yaml: config('baseMetric("nps", 7) < 0 and lastNps <= 6'), settings: { maxCustomers: 1_000 } });
    d.clock.set(T0 + 3 * HOUR);
    const survey = (customerId: string, score: number, ts: number) => d.send(anEvent("survey", { customerId, survey: "nps", score, ts }));
    // Rules run after the event applies: the first answer makes the base's NPS -100.
    survey("A", 2, T0);
    expect(d.decisions.map((decision) => decision.customerId)).toEqual(["A"]);
    // Promoters are no detractors: nothing, whatever the base.
    survey("B", 10, T0 + 1_000);
    survey("C", 10, T0 + 2_000);
    survey("D", 10, T0 + 3_000);
    // The next hour's first read: 3 promoters and 2 detractors, NPS +20.
    survey("E", 1, T0 + HOUR);
    // In the same hour the base sinks below 0, but rules read the hour's report (+20).
    for (let i = 0; i < 6; i++) survey(`F${i}`, 0, T0 + HOUR + 10 + i);
    expect(d.engine.businessReport(7).attitude.nps).toBeLessThan(0);
    expect(d.decisions.map((decision) => decision.customerId)).toEqual(["A"]);
    // The hour after, the report shows it.
    survey("G", 3, T0 + 2 * HOUR);
    expect(d.decisions.map((decision) => decision.customerId)).toEqual(["A", "G"]);
    expect(d.rejected).toHaveLength(0);
  });

  it("names the problem with an unknown metric, an unconfigured window, or a segment's rule", () => {
    const compile = (yaml: string) => () => {
      const parsed = parseConfig(yaml, "metric.yaml");
      compileDecisionConfig(parsed.decisions, parsed.locate);
    };
    expect(compile(config('baseMetric("happiness", 7) < 0'))).toThrow(/the metric must be a constant string, one of: nps, csat/);
    expect(compile(config('baseMetric("nps", 8) < 0'))).toThrow(/the window must be a constant number of days from metrics.windows: 7, 30, 90, 365/);
    expect(compile(config("revenue > 0", 'segments:\n  - { id: s, when: \'baseMetric("nps", 7) < 0\' }'))).toThrow(/baseMetric is not available in a segment's rule/);
  });
});
