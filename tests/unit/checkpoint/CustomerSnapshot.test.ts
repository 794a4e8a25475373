import { describe, expect, it } from "vitest";
import { decodeCustomer, encodeCustomer, SCALAR_FIELDS, snapshotCustomer } from "../../../engine/checkpoint/CustomerSnapshot.js";
import { CampaignExposure } from "../../../engine/campaigns/CampaignExposure.js";
import { decodeStored, encodeStored, stateLayoutFor } from "../../../engine/index.js";
import { loadFeatures, PurchaseWatch, ResponseWatch } from "../../../engine/models/LabelWatch.js";
import { ContactOutcome } from "../../../engine/state/ContactHistory.js";
import { CustomerState, StateLayout, WindowSeries } from "../../../engine/state/CustomerState.js";
import { TrafficSimulator } from "../../../simulator/TrafficSimulator.js";
import { DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

const layout = new StateLayout({
  allowedLatenessMs: 2 * DAY,
  recentInteractions: 4,
  contactHistory: 3,
  maxProducts: 5,
  lifecycle: { newForMs: 30 * DAY, atRiskAfterMs: 45 * DAY, churnedAfterMs: 90 * DAY },
});
const initial = new CustomerState("", layout);

function roundTrip(state: CustomerState): CustomerState {
  return decodeCustomer(encodeCustomer(state, initial), layout);
}

/** Every scalar field of a state, as Object.is compares them (NaN, -0 and all). */
function scalarsOf(state: CustomerState): unknown[] {
  return SCALAR_FIELDS.map((field) => state[field]);
}

function expectSameState(restored: CustomerState, original: CustomerState): void {
  expect(snapshotCustomer(restored, initial)).toEqual(snapshotCustomer(original, initial));
  scalarsOf(restored).forEach((value, i) => expect(Object.is(value, scalarsOf(original)[i]), `${SCALAR_FIELDS[i]}: ${String(value)}`).toBe(true));
}

/** A customer with every part of the state set, times around `lastSeenTs`. */
function busyCustomer(lastSeenTs: number): CustomerState {
  const state = new CustomerState("C-every-part", layout);
  Object.assign(state, {
    firstSeenTs: lastSeenTs - 400 * DAY,
    lastSeenTs,
    lastActiveTs: lastSeenTs - 1,
    signupTs: lastSeenTs - 401 * DAY,
    cancelTs: lastSeenTs - 3 * DAY,
    plan: "premium",
    region: "north",
    birthYear: 1961,
    preferredChannel: 2,
    consentMask: 5,
    consentKnownMask: 7,
    purchases: 3,
    purchaseAmount: 129.97,
    firstPurchaseTs: lastSeenTs - 90 * DAY,
    lastPurchaseTs: lastSeenTs - 2 * DAY,
    revenue: -0.30000000000000004,
    refunds: 1e21,
    cost: 0.1 + 0.2,
    serviceCalls: 2,
    openComplaints: 1,
    complaints: 4,
    lastComplaintTs: lastSeenTs - DAY,
    openComplaintSinceTs: lastSeenTs - DAY,
    lastResolutionMs: 3_600_000.5,
    offerResponses: 6,
    offersAccepted: 2,
    offersDeclined: 3,
    lastDeclineTs: lastSeenTs - 5 * DAY,
    valueTier: 2,
    segments: 0b1011,
    segmentsDueTs: lastSeenTs + 7 * DAY,
    segmentsVersion: 4_000_000_000,
    churnObservedTs: lastSeenTs - 1,
    cubeMonth: 682,
    cubeMonths: 0xffffff,
    lastSeq: 2 ** 40,
  });
  state.eventsByType[2] = 3;
  state.eventsByChannel[1] = 9;
  state.profileTs[0] = lastSeenTs - 10 * DAY;
  state.profileTs[4] = lastSeenTs - 11 * DAY;
  state.products = ["phone-x2", "earbuds"];
  state.categories = ["phones"];
  state.scoresOf("nps").record(3, lastSeenTs - DAY);
  state.scoresOf("nps").record(9, lastSeenTs - 2 * DAY);
  state.scoresOf("ces").record(Number.NaN, lastSeenTs);
  state.attributes = { householdSize: 3, vip: true, segmentHint: "mass" };
  state.attributeTs = { householdSize: lastSeenTs - 10 * DAY, vip: lastSeenTs - 9 * DAY, segmentHint: lastSeenTs - 10 * DAY };
  state.window.add(lastSeenTs - 3 * DAY, WindowSeries.revenue, -17.15);
  state.window.add(lastSeenTs - 3 * DAY, WindowSeries.interactions, 1);
  state.window.add(lastSeenTs, WindowSeries.cost, 0.1 + 0.2);
  state.window.add(lastSeenTs, WindowSeries.digitalVisits, 2);
  // More interactions and contacts than the rings hold: the oldest fall out.
  for (let k = 0; k < 6; k++) state.recent.record(lastSeenTs - k * 3_600_000, k % 14, k % 7, k === 2 ? -49.99 : 0, k % 2 === 0 ? "/shop" : "");
  for (let k = 0; k < 5; k++) {
    state.contacts.record(`e${k}:welcome`, "digital-onboarding", k % 7, lastSeenTs - k * DAY, k % 2 === 0, k === 1 ? ContactOutcome.declined : ContactOutcome.pending);
  }
  const features = () => loadFeatures([12, [1, 7, 4095], [1, 0.25, -3.5], [0, 1, 2]]);
  state.responseWatches = [new ResponseWatch("e1:welcome", "digital-onboarding", lastSeenTs + DAY, features(), true)];
  state.purchaseWatch = new PurchaseWatch(lastSeenTs + 30 * DAY, features(), 0b101);
  state.exposures = [new CampaignExposure("spring", 1, "e1:welcome", lastSeenTs - DAY, 3)];
  return state;
}

describe("customer snapshots", () => {
  it("a customer with every part set decodes to the same state", () => {
    const original = busyCustomer(T0);
    const restored = roundTrip(original);
    expectSameState(restored, original);
    expect(restored.recent.size).toBe(4);
    expect(restored.contacts.total).toBe(5);
    expect(restored.contacts.toArray()).toEqual(original.contacts.toArray());
    expect(restored.window.sum(WindowSeries.revenue, T0, 30)).toBe(-17.15);
    expect(restored.purchaseWatch!.features.values.subarray(0, 3)).toEqual(Float64Array.of(1, 0.25, -3.5));
  });

  it("a customer at its initial values decodes to a fresh state", () => {
    const empty = new CustomerState("C-new", layout);
    expectSameState(roundTrip(empty), empty);
    expect(decodeStored(encodeCustomer(empty, initial))).toMatchObject({ v: 2, id: "C-new" });
  });

  it("times before 1970 and times far in the future are exact", () => {
    for (const lastSeenTs of [-5 * 365 * DAY, 0, 2 ** 52]) {
      const original = busyCustomer(lastSeenTs);
      expectSameState(roundTrip(original), original);
    }
  });

  it("a time its distance to the base would not give back exactly is written as it is", () => {
    const original = busyCustomer(T0);
    original.lastPurchaseTs = 0.1; // T0 - (T0 - 0.1) is 0.10009765625
    original.churnObservedTs = Number.NaN;
    original.segmentsDueTs = Number.NEGATIVE_INFINITY;
    const record = decodeStored(encodeCustomer(original, initial)) as Record<string, unknown>;
    expect(record.b).toBeUndefined();
    expectSameState(roundTrip(original), original);
    // Not exact from a base: a base that is not an integer.
    const fractionalBase = busyCustomer(T0 + 0.5);
    expectSameState(roundTrip(fractionalBase), fractionalBase);
  });

  it("a record of the named format written before the compact one still decodes", () => {
    // As the engine wrote a customer before the compact format: every field under its
    // name, times as they are, the window dense per bucket, contacts nested.
    const named = {
      customerId: "C-old",
      firstSeenTs: T0 - 10 * DAY,
      lastSeenTs: T0,
      lastActiveTs: T0,
      plan: "basic",
      purchases: 1,
      purchaseAmount: 49.99,
      firstPurchaseTs: T0 - DAY,
      lastPurchaseTs: T0 - DAY,
      revenue: 49.99,
      lastResolutionMs: 7_200_000,
      segmentsDueTs: T0 + DAY,
      lastSeq: 42,
      eventsByType: [0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
      eventsByChannel: [1, 1, 0, 0, 0, 0, 0],
      profileTs: [T0 - 10 * DAY, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      products: ["earbuds"],
      categories: ["accessories"],
      nps: [9, T0 - 2 * DAY, 9, 1],
      attributes: { householdSize: 2 },
      attributeTs: { householdSize: T0 - 10 * DAY },
      window: [Math.floor(T0 / DAY), [Math.floor(T0 / DAY) - 1, 49.99, 0, 1, 1, 0, 0, 0, Math.floor(T0 / DAY), 0, 0, 0, 1, 0, 0, 1]],
      recent: [
        [T0 - DAY, 2, 0, 49.99, "earbuds"],
        [T0, 9, 1, 0, "/"],
      ],
      // The first contact is from before outcomes were kept: five fields, pending.
      contacts: [2, [["e1:welcome", "digital-onboarding", 5, T0 - 10 * DAY, 0], ["e2:thanks", "thank-you", 1, T0 - DAY, 1, ContactOutcome.accepted]]],
      exposures: [["spring", 0, "e2:thanks", T0 - DAY, 1]],
      purchaseWatch: [T0 + 30 * DAY, 0, [12, [1], [1], [0]]],
    };
    const expected = new CustomerState("C-old", layout);
    Object.assign(expected, {
      firstSeenTs: T0 - 10 * DAY,
      lastSeenTs: T0,
      lastActiveTs: T0,
      plan: "basic",
      purchases: 1,
      purchaseAmount: 49.99,
      firstPurchaseTs: T0 - DAY,
      lastPurchaseTs: T0 - DAY,
      revenue: 49.99,
      lastResolutionMs: 7_200_000,
      segmentsDueTs: T0 + DAY,
      lastSeq: 42,
    });
    expected.eventsByType[2] = 1;
    expected.eventsByType[9] = 1;
    expected.eventsByChannel[0] = 1;
    expected.eventsByChannel[1] = 1;
    expected.profileTs[0] = T0 - 10 * DAY;
    expected.products = ["earbuds"];
    expected.categories = ["accessories"];
    expected.scoresOf("nps").record(9, T0 - 2 * DAY);
    expected.attributes = { householdSize: 2 };
    expected.attributeTs = { householdSize: T0 - 10 * DAY };
    expected.window.add(T0 - DAY, WindowSeries.revenue, 49.99);
    expected.window.add(T0 - DAY, WindowSeries.purchases, 1);
    expected.window.add(T0 - DAY, WindowSeries.interactions, 1);
    expected.window.add(T0, WindowSeries.interactions, 1);
    expected.window.add(T0, WindowSeries.digitalVisits, 1);
    expected.recent.record(T0 - DAY, 2, 0, 49.99, "earbuds");
    expected.recent.record(T0, 9, 1, 0, "/");
    expected.contacts.record("e1:welcome", "digital-onboarding", 5, T0 - 10 * DAY, false, ContactOutcome.pending);
    expected.contacts.record("e2:thanks", "thank-you", 1, T0 - DAY, true, ContactOutcome.accepted);
    expected.exposures = [new CampaignExposure("spring", 0, "e2:thanks", T0 - DAY, 1)];
    expected.purchaseWatch = new PurchaseWatch(T0 + 30 * DAY, loadFeatures([12, [1], [1], [0]]), 0);

    const restored = decodeCustomer(encodeStored(named), layout);
    expectSameState(restored, expected);
    // Written again, it is in the compact format, and decodes to the same state once more.
    expect(decodeStored(encodeCustomer(restored, initial))).toMatchObject({ v: 2, id: "C-old" });
    expectSameState(roundTrip(restored), expected);
  });

  it("a record of an unknown format is refused", () => {
    expect(() => decodeCustomer(encodeStored({ v: 99, id: "C1" }), layout)).toThrow(/format 99/);
  });

  it("a realistic customer takes under 500 bytes on average", () => {
    // The simulator's mix at 8 events per customer over 30 days, as bench/state/snapshotSize.ts measures it.
    const customers = 2_000;
    const d = new EngineDriver();
    const simulator = new TrafficSimulator({ seed: 7, customers, runId: "size" });
    const events = customers * 8;
    for (let i = 0; i < events; i++) d.send(simulator.nextEvent(T0 - 30 * DAY + Math.floor((i * 30 * DAY) / events)));
    const engineLayout = stateLayoutFor(d.config.engine);
    const engineInitial = new CustomerState("", engineLayout);
    let bytes = 0;
    let count = 0;
    for (let i = 0; i < customers; i++) {
      const state = d.engine.customerState(TrafficSimulator.customerId(i));
      if (state === undefined) continue;
      const encoded = encodeCustomer(state, engineInitial);
      expectSameState(decodeCustomer(encoded, engineLayout), state);
      bytes += encoded.length;
      count++;
    }
    expect(count).toBeGreaterThan(customers * 0.9);
    // 457 bytes on 2026-12-03 (815 in the named format); 500 is the goal, with some margin.
    expect(bytes / count).toBeLessThan(500);
  });
});
