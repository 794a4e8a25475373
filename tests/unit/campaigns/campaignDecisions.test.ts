import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../config/loadConfig.js";
import { compileDecisionConfig, type Decision, type EventInput } from "../../../engine/index.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

const campaignYaml = (extra = "") => `
engine: { maxCustomers: 5000 }
models: { enabled: false }
actions:
  - id: upgrade
    kind: offer
    channels: [web, app]
    value: 100
  - id: tips
    kind: message
    channels: [web, app]
    value: 5
campaigns:
  - id: upgrade-push
    audience: plan == "basic"
    actions: [upgrade]
    controlShare: 0.3
    responseWindow: 7d
    variants: [{ id: A, weight: 1 }, { id: B, weight: 1 }]
${extra}`;

function driver(yaml = campaignYaml()): EngineDriver {
  const d = new EngineDriver({ yaml });
  d.clock.set(T0 + 365 * DAY);
  return d;
}

const upgradeOf = (decision: Decision) => decision.actions.find((a) => a.actionId === "upgrade");
const heldBack = (decision: Decision) => decision.filtered?.find((f) => f.actionId === "upgrade")?.reason;
const report = (d: EngineDriver) => d.engine.campaignReports()[0]!;
const arm = (d: EngineDriver, id: string) => report(d).lift.arms.find((a) => a.arm === id)!;

describe("campaigns in decisions", () => {
  it("holds the action back from the control, tags the variants with arm and probability, the same on every channel and after a restart", () => {
    const d = driver();
    const restarted = driver();
    const arms = new Map<string, string>();
    const N = 3_000;
    for (let c = 0; c < N; c++) {
      const customerId = `K${c}`;
      d.send(anEvent("signup", { customerId, ts: T0, plan: "basic" }));
      restarted.send(anEvent("signup", { customerId, ts: T0, plan: "basic" }));
      const web = d.decide("web", { customerId, limit: 2 });
      const offered = upgradeOf(web);
      if (offered === undefined) {
        expect(heldBack(web)).toEqual({ code: "experiment", detail: "control group of upgrade-push: no action, outcomes tracked" });
        expect(web.actions.map((a) => a.actionId)).toEqual(["tips"]);
        arms.set(customerId, "control");
      } else {
        expect(offered.campaign!.probability).toBeCloseTo(0.35, 12);
        expect(offered.reasons.at(-1)).toEqual({ code: "experiment", detail: `upgrade-push: arm ${offered.campaign!.arm} (p=0.3500)` });
        arms.set(customerId, offered.campaign!.arm);
      }
      const app = upgradeOf(d.decide("app", { customerId, limit: 2 }));
      const again = upgradeOf(restarted.decide("app", { customerId, limit: 2 }));
      expect([app?.campaign?.arm ?? "control", again?.campaign?.arm ?? "control"]).toEqual([arms.get(customerId), arms.get(customerId)]);
    }
    const share = [...arms.values()].filter((a) => a === "control").length / N;
    expect(Math.abs(share - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / N));
    // Every decision counted a contact in its arm: two per customer.
    const contacts = report(d).lift.arms.reduce((sum, a) => sum + a.contacts, 0);
    expect(contacts).toBe(2 * N);
    expect(arm(d, "control").contacts).toBe(2 * [...arms.values()].filter((a) => a === "control").length);
  });

  it("joins responses to the decision and purchases within the window to every arm, control included, and reports the lift", () => {
    const d = driver();
    const decisions = new Map<string, Decision>();
    for (let c = 0; c < 400; c++) {
      const customerId = `K${c}`;
      d.send(anEvent("signup", { customerId, ts: T0, plan: "basic" }));
      decisions.set(customerId, d.decide("web", { customerId, limit: 1 }));
    }
    let controlPurchases = 0;
    let variantPurchases = 0;
    let accepted = 0;
    // In event-time order: responses on day 1, purchases on day 2 (inside the 7-day window), more on day 8 (outside).
    for (const [customerId, decision] of decisions) {
      const offered = upgradeOf(decision);
      if (offered === undefined || Number(customerId.slice(1)) % 3 !== 0) continue;
      d.send(anEvent("offer_response", { customerId, ts: T0 + DAY, offerId: "upgrade", decisionId: decision.decisionId, response: "accept" } as Partial<EventInput>));
      accepted++;
    }
    for (const [customerId, decision] of decisions) {
      if (Number(customerId.slice(1)) % 4 !== 0) continue;
      d.send(anEvent("purchase", { customerId, ts: T0 + 2 * DAY, amount: 80 }));
      if (upgradeOf(decision) === undefined) controlPurchases++;
      else variantPurchases++;
    }
    for (const customerId of decisions.keys()) {
      if (Number(customerId.slice(1)) % 5 === 0) d.send(anEvent("purchase", { customerId, ts: T0 + 8 * DAY, amount: 1_000 }));
    }
    expect(controlPurchases).toBeGreaterThan(10);
    const lift = report(d).lift;
    const control = arm(d, "control");
    expect(control.conversions).toBe(controlPurchases);
    expect(control.revenue).toBe(80 * controlPurchases);
    expect(control.accepts).toBe(0); // no offer to accept; its conversions are purchases
    expect(arm(d, "A").conversions + arm(d, "B").conversions).toBe(variantPurchases);
    expect(arm(d, "A").accepts + arm(d, "B").accepts).toBe(accepted);
    const a = lift.variants.find((v) => v.arm === "A")!;
    expect(a.conversionRate.control).toBeCloseTo(controlPurchases / control.contacts, 12);
    expect(a.conversionRate.absoluteLift).toBeCloseTo(arm(d, "A").conversions / arm(d, "A").contacts - controlPurchases / control.contacts, 12);
  });

  it("offers the action only to the campaign's audience, within its schedule and volume", () => {
    const d = driver(campaignYaml("    maxContacts: 3\n"));
    d.send(anEvent("signup", { customerId: "P", ts: T0, plan: "premium" }));
    expect(heldBack(d.decide("web", { customerId: "P" }))).toEqual({ code: "campaign", detail: 'not in the audience of upgrade-push: plan == "basic"' });
    for (let c = 0; c < 10; c++) d.send(anEvent("signup", { customerId: `V${c}`, ts: T0, plan: "basic" }));
    const reasons = Array.from({ length: 10 }, (_, c) => heldBack(d.decide("web", { customerId: `V${c}` }))?.detail ?? "offered");
    expect(reasons.filter((r) => r === "upgrade-push reached its 3 contacts")).toHaveLength(7);
    const ended = driver(campaignYaml("    end: 2026-01-01\n"));
    ended.send(anEvent("signup", { customerId: "V", ts: T0, plan: "basic" }));
    expect(heldBack(ended.decide("web", { customerId: "V" }))).toEqual({ code: "campaign", detail: "upgrade-push is not running now" });
  });

  it("keeps its counters through a checkpoint", () => {
    const d = driver();
    for (let c = 0; c < 50; c++) {
      d.send(anEvent("signup", { customerId: `K${c}`, ts: T0, plan: "basic" }));
      d.decide("web", { customerId: `K${c}` });
    }
    const cut = d.engine.beginCheckpoint();
    const restored = driver();
    restored.engine.restoreCheckpoint(cut.engine);
    d.engine.abortCheckpoint(cut);
    expect(restored.engine.campaignReports()).toEqual(d.engine.campaignReports());
    expect(report(restored).lift.arms.reduce((sum, a) => sum + a.contacts, 0)).toBe(50);
  });

  it("a reload swaps campaigns and the contact policy in without a restart, and every decision names the version that made it", () => {
    const d = driver(`version: v1\n${campaignYaml()}`);
    d.send(anEvent("signup", { customerId: "K1", ts: T0, plan: "basic" }));
    const before = d.decide("web", { customerId: "K1", limit: 2 });
    expect(before.configVersion).toBe("v1");
    expect(upgradeOf(before)?.campaign?.id ?? heldBack(before)?.code).toBeDefined();
    const next = parseConfig(
      `version: v2\n${campaignYaml().replace(/campaigns:[\s\S]*$/, "contactPolicy:\n  caps:\n    - { channel: all, max: 1, window: 7d }\n")}`,
      "v2.yaml",
    );
    d.engine.reconfigure(compileDecisionConfig(next.decisions, next.locate));
    const after = d.decide("web", { customerId: "K1", limit: 2 });
    expect(after.configVersion).toBe("v2");
    // No campaign any more; the one contact in the last 7 days fills the new cap.
    expect(after.actions).toEqual([]);
    expect(after.filtered!.map((f) => [f.actionId, f.reason.code])).toEqual([
      ["upgrade", "policy"],
      ["tips", "policy"],
    ]);
    expect(d.engine.campaignReports()).toEqual([]);
  });

  it("rejects a campaign naming an action the catalog lacks, or an action already in another campaign", () => {
    const compile = (yaml: string) => () => {
      const config = parseConfig(yaml, "campaigns.yaml");
      compileDecisionConfig(config.decisions, config.locate);
    };
    expect(compile(campaignYaml().replace("actions: [upgrade]", "actions: [upgrad]"))).toThrow(/campaign "upgrade-push" names action "upgrad", which the catalog does not have/);
    expect(compile(`${campaignYaml()}  - id: second\n    actions: [upgrade]\n`)).toThrow(/action "upgrade" is already in campaign "upgrade-push"/);
  });
});
