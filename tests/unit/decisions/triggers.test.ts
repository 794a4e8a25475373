import { describe, expect, it } from "vitest";
import { anEvent, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

describe("triggers from the default configuration", () => {
  it("a complaint opens a service-recovery callback on the call-center channel", () => {
    const driver = new EngineDriver();
    driver.send(anEvent("complaint", { id: "c-1", customerId: "C7", channel: "email" }));
    expect(driver.decisions).toHaveLength(1);
    const [decision] = driver.decisions;
    expect(decision).toMatchObject({
      decisionId: "c-1:complaint-callback",
      customerId: "C7",
      channel: "callcenter",
      source: "trigger",
      triggerId: "complaint-callback",
      eventId: "c-1",
      ts: T0,
    });
    expect(decision!.actions.map((a) => a.actionId)).toEqual(["service-recovery-callback"]);
    expect(decision!.actions[0]!.reasons.map((r) => r.code)).toEqual(["trigger", "eligible", "value", "weight", "propensity"]);
  });
});
