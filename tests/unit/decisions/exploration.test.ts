import { describe, expect, it } from "vitest";
import { chooseFirst } from "../../../engine/decisions/Exploration.js";
import { anEvent, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

const catalog = (exploration: number) => `
version: explore-1
arbitration: { exploration: ${exploration} }
actions:
  - { id: best, kind: offer, channels: [web], value: 100 }
  - { id: second, kind: offer, channels: [web], value: 50 }
  - { id: third, kind: offer, channels: [web], value: 10 }
  - { id: only-email, kind: offer, channels: [email], value: 1000 }
`;

describe("exploration: the first action drawn at random, with the probability logged", () => {
  it("draws each candidate with its stated probability, the same for the same decision id", () => {
    const epsilon = 0.3;
    const draws = 30_000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < draws; i++) {
      const choice = chooseFirst(`C${i}:req-${i}`, 4, epsilon);
      counts[choice.index]!++;
      expect(choice.probability).toBeCloseTo(choice.index === 0 ? 1 - epsilon + epsilon / 4 : epsilon / 4, 12);
      expect(chooseFirst(`C${i}:req-${i}`, 4, epsilon)).toEqual(choice);
    }
    const expected = [1 - epsilon + epsilon / 4, epsilon / 4, epsilon / 4, epsilon / 4];
    counts.forEach((count, index) => {
      const p = expected[index]!;
      // Within 4 standard errors of a binomial count.
      expect(Math.abs(count - draws * p)).toBeLessThan(4 * Math.sqrt(draws * p * (1 - p)));
    });
    expect(chooseFirst("any", 4, 0)).toEqual({ index: 0, probability: 1, explored: false });
    expect(chooseFirst("any", 1, 0.5)).toEqual({ index: 0, probability: 1, explored: false });
  });

  it("logs on each request the probability of its first action, and says when it explored", () => {
    const d = new EngineDriver({ yaml: catalog(0.5), settings: { maxCustomers: 1_000 } });
    d.send(anEvent("login", { customerId: "A", ts: T0 }));
    let explored = 0;
    for (let i = 0; i < 600; i++) {
      const decision = d.decide("web", { customerId: "A", requestId: `q${i}`, limit: 2 });
      const first = decision.actions[0]!;
      expect(decision.actions).toHaveLength(2);
      if (first.actionId === "best") {
        expect(decision.probability).toBeCloseTo(0.5 + 0.5 / 3, 12);
        expect(first.reasons.some((reason) => reason.code === "explored")).toBe(false);
      } else {
        explored++;
        expect(decision.probability).toBeCloseTo(0.5 / 3, 12);
        expect(first.reasons.at(-1)).toEqual({ code: "explored", detail: "drawn at random (exploration 0.5) from 3 candidates instead of best" });
        // The rest keep their order behind it.
        expect(decision.actions[1]!.actionId).toBe("best");
      }
      // The same request id decides the same again.
      expect(d.decide("web", { customerId: "A", requestId: `q${i}`, limit: 2 }).actions.map((a) => a.actionId)).toEqual(decision.actions.map((a) => a.actionId));
    }
    const p = 2 * (0.5 / 3);
    expect(Math.abs(explored - 600 * p)).toBeLessThan(4 * Math.sqrt(600 * p * (1 - p)));

    const greedy = new EngineDriver({ yaml: catalog(0), settings: { maxCustomers: 1_000 } });
    for (let i = 0; i < 50; i++) {
      const decision = greedy.decide("web", { customerId: "A", requestId: `q${i}` });
      expect(decision.actions[0]!.actionId).toBe("best");
      expect(decision.probability).toBe(1);
    }
    expect(greedy.decide("sms", { customerId: "A" }).probability).toBeUndefined();
  });

  it("logs probability 1 on a trigger's decision", () => {
    const d = new EngineDriver({ settings: { maxCustomers: 1_000 } });
    d.send(anEvent("complaint", { customerId: "A", ts: T0 }));
    expect(d.decisions.length).toBeGreaterThan(0);
    for (const decision of d.decisions) expect(decision.probability).toBe(1);
  });
});
