import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../engine/index.js";
import { parseConfig } from "../../../config/loadConfig.js";
import { anEvent, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

const yaml = `economics:
  margin: 0.3
  marginByCategory: { phones: 0.15 }
  handlingCost: { service_call: 6, complaint: 20 }
`;

describe("costs of events that carry none", () => {
  it("give a purchase its cost of goods by its category's margin, and service its handling cost; an event's own cost wins", () => {
    const d = new EngineDriver({ yaml });
    d.send(anEvent("purchase", { customerId: "A", ts: T0 - 5_000, amount: 1_000, category: "phones" })); // goods 850
    d.send(anEvent("purchase", { customerId: "A", ts: T0 - 4_000, amount: 100, product: "case", category: "accessories" })); // goods 70
    d.send(anEvent("purchase", { customerId: "A", ts: T0 - 3_000, amount: 100, category: "phones", cost: 5 }));
    d.send(anEvent("service_call", { customerId: "A", ts: T0 - 2_000 })); // 6
    d.send(anEvent("complaint", { customerId: "A", ts: T0 - 1_000, reason: "billing" })); // 20
    d.send(anEvent("web_visit", { customerId: "A", ts: T0 })); // nothing configured: 0
    expect(d.rejected).toEqual([]);
    const profile = d.engine.profile("A")!;
    expect(profile.behaviour.cost).toBeCloseTo(850 + 70 + 5 + 6 + 20, 9);
    expect(profile.behaviour.profit).toBeCloseTo(1_200 - 951, 9);
    expect(d.engine.businessReport(7).value.cost).toBeCloseTo(951, 9);
  });

  it("are none by default: an event without a cost costs nothing", () => {
    const d = new EngineDriver();
    d.send(anEvent("purchase", { customerId: "A", amount: 300 }));
    d.send(anEvent("service_call", { customerId: "A" }));
    expect(d.engine.profile("A")!.behaviour.cost).toBe(0);
  });

  it("refuse a margin above 1 and a handling cost for an unknown event type, naming the key", () => {
    const error = (text: string) => {
      try {
        parseConfig(text, "economics.yaml");
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error("expected a configuration error");
    };
    expect(error("economics:\n  margin: 1.5\n").message).toContain("economics.margin");
    const unknown = error("economics:\n  handlingCost: { service_cal: 6 }\n");
    expect(unknown.message).toContain("economics.handlingCost");
    expect(unknown.message).toContain("service_cal");
  });
});
