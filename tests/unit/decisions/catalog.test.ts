import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../config/loadConfig.js";
import { compileDecisionConfig, ConfigError, Rejection } from "../../../engine/index.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

const SMALL = { maxCustomers: 1_000 } as const;

const CATALOG = `
version: catalog-1
actions:
  - id: loyalty-bonus
    kind: offer
    channels: [web, email, callcenter]
    value: revenue30d * 0.1 + 5
    treatments:
      - { id: banner, channels: [web], title: Bonus banner, content: { template: banner-7, slot: top } }
      - { id: letter, channels: [email], content: { subject: A bonus for you } }
      - { id: letter-b, channels: [email], content: { subject: Your bonus is waiting } }
      - { id: script, channels: [callcenter], content: { script: bonus-call } }
  - id: refund-gap
    kind: offer
    channels: [web]
    value: 50 - revenue30d
  - id: flat
    kind: message
    channels: [web, email]
    value: 20
triggers:
  - id: buyer
    on: [purchase]
    action: loyalty-bonus
    channel: email
campaigns:
  - id: bonus-test
    actions: [loyalty-bonus]
    variants:
      - { id: a, weight: 1 }
      - { id: b, weight: 1, treatment: letter-b }
`;

const driver = (yaml = CATALOG) => new EngineDriver({ yaml, settings: SMALL });

describe("the catalog: value expressions and treatments per channel", () => {
  it("computes a value expression per customer and channel, ranks by it and says how it got it", () => {
    const d = driver();
    d.send(anEvent("purchase", { customerId: "A", ts: T0, amount: 400 }));
    const decision = d.decide("web", { customerId: "A", limit: 5 });
    const bonus = decision.actions.find((action) => action.actionId === "loyalty-bonus")!;
    expect(bonus.score).toBeCloseTo(45, 10);
    expect(bonus.reasons).toContainEqual({ code: "value", detail: "45 = revenue30d * 0.1 + 5" });
    expect(decision.actions.map((action) => action.actionId)).toEqual(["loyalty-bonus", "flat"]);
    // 50 - 400 is below 0: no usable value removes the action, and the reply says so.
    expect(decision.filtered).toContainEqual({
      actionId: "refund-gap",
      reason: { code: "noValue", detail: "the value expression gave no number of 0 or more: 50 - revenue30d" },
    });

    const newcomer = d.decide("web", { customerId: "N", limit: 5 });
    expect(newcomer.actions.map((action) => [action.actionId, action.score])).toEqual([
      ["refund-gap", 50],
      ["flat", 20],
      ["loyalty-bonus", 5],
    ]);
  });

  it("names the channel's treatment in the decision, the variant's where its campaign arm names one", () => {
    const d = driver();
    const onWeb = d.decide("web", { customerId: "A", limit: 5 }).actions.find((action) => action.actionId === "loyalty-bonus")!;
    expect(onWeb.treatment).toEqual({ id: "banner", title: "Bonus banner", content: { template: "banner-7", slot: "top" } });
    const onPhone = d.decide("callcenter", { customerId: "A" }).actions[0]!;
    expect(onPhone.treatment).toEqual({ id: "script", content: { script: "bonus-call" } });
    expect(d.decide("web", { customerId: "A", limit: 5 }).actions.find((action) => action.actionId === "flat")!.treatment).toBeUndefined();

    // By email, arm b of the campaign shows letter-b, arm a the channel's default; on the web both see the banner.
    const seen = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const customerId = `M${i}`;
      d.send(anEvent("purchase", { customerId, ts: T0 + i, amount: 10 }));
      const decision = d.decisions.at(-1)!;
      expect(decision.triggerId).toBe("buyer");
      const action = decision.actions[0]!;
      seen.set(action.campaign!.arm, action.treatment!.id);
      expect(action.treatment!.id).toBe(action.campaign!.arm === "b" ? "letter-b" : "letter");
      const web = d.decide("web", { customerId, limit: 5 }).actions.find((ranked) => ranked.actionId === "loyalty-bonus")!;
      expect(web.treatment!.id).toBe("banner");
    }
    expect([...seen.keys()].sort()).toEqual(["a", "b"]);
  });

  it("groups actions by issue and group, and answers a request for one issue with that issue's actions only", () => {
    const d = new EngineDriver({ settings: SMALL }); // the default catalog
    d.send(anEvent("complaint", { customerId: "A", ts: T0 }));
    const all = d.decide("callcenter", { customerId: "A", limit: 5 });
    expect(all.actions[0]).toMatchObject({ actionId: "service-recovery-callback", issue: "service", group: "complaints" });
    const retention = d.decide("callcenter", { customerId: "A", limit: 5, issue: "retention" });
    expect(retention.actions.every((action) => action.issue === "retention")).toBe(true);
    expect(retention.filtered).toContainEqual({
      actionId: "service-recovery-callback",
      reason: { code: "issue", detail: "serves issue service; the request asked for retention" },
    });
    const unknown = d.engine.parseDecideRequest("web", new TextEncoder().encode(JSON.stringify({ customerId: "A", issue: "retnetion" })));
    expect(unknown).toBeInstanceOf(Rejection);
    expect((unknown as Rejection).message).toBe('unknown issue "retnetion"; the catalog\'s actions serve: service, retention, sales, loyalty, onboarding');
  });

  it("watches a response for the action's own response window, else the models' default", () => {
    const yaml = `
models: { enabled: true, responseWindow: 7d }
segments: []
actions:
  - { id: quick, kind: offer, channels: [web], value: 10, responseWindow: 1d }
  - { id: slow, kind: offer, channels: [email], value: 10 }
triggers:
  - { id: q, on: [login], action: quick, channel: web }
  - { id: s, on: [login], action: slow, channel: email }
`;
    const d = new EngineDriver({ yaml, settings: SMALL });
    d.send(anEvent("login", { customerId: "A", ts: T0 }));
    const watches = d.engine.customerState("A")!.responseWatches!;
    expect(watches.map((watch) => [watch.actionId, watch.dueTs - T0])).toEqual([
      ["quick", DAY],
      ["slow", 7 * DAY],
    ]);
    expect(() => parseConfig(yaml.replace("responseWindow: 1d", "responseWindow: 0s"), "w.yaml")).toThrow(/a response window must be longer than 0/);
  });

  it("refuses treatments that do not fit their action, and variants naming a treatment no action has", () => {
    const compile = (yaml: string) => () => {
      const config = parseConfig(yaml, "catalog.yaml");
      compileDecisionConfig(config.decisions, config.locate);
    };
    const action = (treatments: string) => `
actions:
  - id: x
    kind: offer
    channels: [web, email]
    value: 1
    treatments: ${treatments}
`;
    expect(compile(action("[{ id: t, channels: [sms] }]"))).toThrow(/treatment "t" is for sms, but action "x" is only offered on web, email/);
    expect(compile(action("[{ id: t, channels: [web] }]"))).toThrow(/action "x" has treatments, but none for email/);
    expect(compile(action("[{ id: t }, { id: t }]"))).toThrow(/treatment id "t" is used twice/);
    expect(compile(`${action("[{ id: t }]")}campaigns:\n  - { id: c, actions: [x], variants: [{ id: v, treatment: nope }] }\n`)).toThrow(
      /variant "v" shows treatment "nope", which none of the campaign's actions has/,
    );
    expect(compile(action("[{ id: t }]").replace("value: 1", 'value: plan + "x"'))).toThrow(ConfigError);
    expect(compile(action("[{ id: t }]").replace("value: 1", "value: nosuchname * 2"))).toThrow(/nosuchname/);
  });
});
