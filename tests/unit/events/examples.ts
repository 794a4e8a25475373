import type { EventInput, EventType } from "../../../engine/index.js";

/** 2026-11-02T00:00:00Z */
export const T0 = Date.UTC(2026, 10, 2);

const envelope = (type: EventType, id: string) => ({ id, customerId: "C-1_a", type, channel: "web", ts: T0 });

/** At least one valid example per event type, using every optional field somewhere. */
export const VALID_EVENTS: Readonly<Record<EventType, readonly Record<string, unknown>[]>> = {
  profile: [
    envelope("profile", "p1"),
    {
      ...envelope("profile", "p2"),
      plan: "premium",
      region: "north",
      birthYear: 1980,
      preferredChannel: "email",
      consents: { email: true, sms: false },
      attrs: { tier: "gold", vip: true, score: 3.5 },
      cost: 0.1,
    },
  ],
  signup: [{ ...envelope("signup", "s1"), plan: "basic" }],
  purchase: [
    { ...envelope("purchase", "b1"), amount: 99.9, product: "phone-x1", category: "phones" },
    { ...envelope("purchase", "b2"), amount: 0, product: "case", category: "accessories", quantity: 3, cost: 4 },
  ],
  refund: [{ ...envelope("refund", "r1"), amount: 10 }, { ...envelope("refund", "r2"), amount: 5, product: "case", category: "accessories" }],
  payment: [{ ...envelope("payment", "y1"), amount: 45 }],
  service_call: [{ ...envelope("service_call", "sc1"), reason: "billing", durationSec: 300, cost: 8 }],
  complaint: [{ ...envelope("complaint", "c1"), complaintId: "K1", reason: "late delivery" }],
  complaint_resolved: [{ ...envelope("complaint_resolved", "cr1"), complaintId: "K1" }],
  web_visit: [{ ...envelope("web_visit", "w1"), page: "/home", durationSec: 60 }],
  page_view: [{ ...envelope("page_view", "pv1"), page: "/plans" }],
  login: [envelope("login", "l1")],
  survey: [
    { ...envelope("survey", "n1"), survey: "nps", score: 0 },
    { ...envelope("survey", "n2"), survey: "nps", score: 10 },
    { ...envelope("survey", "cs1"), survey: "csat", score: 5 },
    { ...envelope("survey", "ce1"), survey: "ces", score: 7 },
  ],
  offer_response: [
    { ...envelope("offer_response", "o1"), offerId: "premium-upgrade", response: "accept" },
    { ...envelope("offer_response", "o2"), offerId: "premium-upgrade", response: "convert", decisionId: "e1:t1", amount: 120 },
  ],
  cancel: [{ ...envelope("cancel", "x1"), reason: "price" }],
};

export const asEvent = (value: Record<string, unknown>) => value as unknown as EventInput;
