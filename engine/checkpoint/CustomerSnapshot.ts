import { CampaignExposure } from "../campaigns/CampaignExposure.js";
import { loadFeatures, PurchaseWatch, ResponseWatch, storeFeatures, type StoredFeatures } from "../models/LabelWatch.js";
import { ContactOutcome } from "../state/ContactHistory.js";
import { CustomerState, type StateLayout, type SurveyScores } from "../state/CustomerState.js";
import type { NumberRun } from "../state/NumberSlabs.js";
import { customerStrings } from "../state/StringInterner.js";
import { decodeStored, encodeStored } from "../wire/storedRecord.js";

/**
 * A customer's state as checkpoints store it: plain MessagePack, readable by any
 * tool. Fields still at their initial value are left out, so a quiet customer costs
 * a few hundred bytes; restoring starts from a fresh state and sets what is there.
 */
export type CustomerSnapshot = Record<string, unknown>;

/** The plain number and string fields, copied as they are. */
const SCALAR_FIELDS = [
  "firstSeenTs",
  "lastSeenTs",
  "lastActiveTs",
  "signupTs",
  "cancelTs",
  "plan",
  "region",
  "birthYear",
  "preferredChannel",
  "consentMask",
  "consentKnownMask",
  "purchases",
  "purchaseAmount",
  "firstPurchaseTs",
  "lastPurchaseTs",
  "revenue",
  "refunds",
  "cost",
  "serviceCalls",
  "openComplaints",
  "complaints",
  "lastComplaintTs",
  "openComplaintSinceTs",
  "lastResolutionMs",
  "offerResponses",
  "offersAccepted",
  "offersDeclined",
  "lastDeclineTs",
  "valueTier",
  "segments",
  "segmentsDueTs",
  "segmentsVersion",
  "churnObservedTs",
  "cubeMonth",
  "cubeMonths",
  "lastSeq",
] as const satisfies readonly (keyof CustomerState)[];

type ScalarField = (typeof SCALAR_FIELDS)[number];

const COUNTER_ARRAYS = ["eventsByType", "eventsByChannel", "profileTs"] as const satisfies readonly (keyof CustomerState)[];
const LISTS = ["products", "categories"] as const satisfies readonly (keyof CustomerState)[];
const SURVEYS = ["nps", "csat", "ces"] as const satisfies readonly (keyof CustomerState)[];

export function snapshotCustomer(state: CustomerState, initial: CustomerState): CustomerSnapshot {
  const snapshot: CustomerSnapshot = { customerId: state.customerId };
  for (const field of SCALAR_FIELDS) {
    if (!Object.is(state[field], initial[field])) snapshot[field] = state[field];
  }
  for (const field of COUNTER_ARRAYS) {
    if (state[field].some((value) => value !== 0)) snapshot[field] = Array.from(state[field]);
  }
  for (const field of LISTS) if (state[field].length > 0) snapshot[field] = [...state[field]];
  for (const field of SURVEYS) {
    const scores = state[field];
    if (scores.count > 0) snapshot[field] = [scores.last, scores.lastTs, scores.sum, scores.count];
  }
  if (state.attributes !== null) snapshot.attributes = state.attributes;
  if (state.attributeTs !== null) snapshot.attributeTs = state.attributeTs;
  if (state.window.newestBucket >= 0) snapshot.window = [state.window.newestBucket, state.window.toSparse()];
  if (state.recent.size > 0) {
    const recent: unknown[] = [];
    state.recent.forEach((ts, typeIndex, channelIndex, amount, detail) => recent.push([ts, typeIndex, channelIndex, amount, detail]));
    snapshot.recent = recent;
  }
  if (state.contacts.total > 0) {
    snapshot.contacts = [
      state.contacts.total,
      state.contacts.toArray().map((c) => [c.decisionId, c.actionId, c.channelIndex, c.ts, c.fromRequest ? 1 : 0, c.outcome]),
    ];
  }
  if (state.responseWatches !== null) {
    snapshot.responseWatches = state.responseWatches.map((w) => [w.decisionId, w.actionId, w.dueTs, w.expired ? 1 : 0, storeFeatures(w.features)]);
  }
  if (state.exposures !== null) {
    snapshot.exposures = state.exposures.map((e) => [e.campaignId, e.arm, e.decisionId, e.ts, e.outcomes]);
  }
  if (state.purchaseWatch !== null) {
    const w = state.purchaseWatch;
    snapshot.purchaseWatch = [w.dueTs, w.bought, storeFeatures(w.features)];
  }
  return snapshot;
}

/** `run`: zeroed numbers for the restored state (see CustomerState's constructor). */
export function restoreCustomer(snapshot: CustomerSnapshot, layout: StateLayout, run?: NumberRun): CustomerState {
  const customerId = snapshot.customerId;
  if (typeof customerId !== "string") throw new TypeError("customer snapshot has no customerId");
  const state = new CustomerState(customerId, layout, run);
  const writable = state as unknown as Record<ScalarField, unknown>;
  for (const field of SCALAR_FIELDS) {
    if (!(field in snapshot)) continue;
    const value = snapshot[field];
    writable[field] = typeof value === "string" ? customerStrings.intern(value) : value;
  }
  for (const field of COUNTER_ARRAYS) {
    const values = snapshot[field] as number[] | undefined;
    if (values === undefined) continue;
    const counters = state[field];
    for (let i = 0; i < Math.min(values.length, counters.length); i++) counters[i] = values[i]!;
  }
  for (const field of LISTS) {
    const values = snapshot[field] as string[] | undefined;
    if (values !== undefined) state[field] = values.map((value) => customerStrings.intern(value));
  }
  for (const field of SURVEYS) {
    const values = snapshot[field] as [number, number, number, number] | undefined;
    if (values !== undefined) restoreScores(state.scoresOf(field), values);
  }
  if (snapshot.attributes !== undefined) state.attributes = snapshot.attributes as CustomerState["attributes"];
  if (snapshot.attributeTs !== undefined) state.attributeTs = snapshot.attributeTs as CustomerState["attributeTs"];
  const window = snapshot.window as [number, number[]] | undefined;
  if (window !== undefined) state.window.restoreSparse(window[0], window[1]);
  for (const [ts, typeIndex, channelIndex, amount, detail] of (snapshot.recent as [number, number, number, number, string][] | undefined) ?? []) {
    state.recent.record(ts, typeIndex, channelIndex, amount, customerStrings.intern(detail));
  }
  const responseWatches = snapshot.responseWatches as [string, string, number, number, StoredFeatures][] | undefined;
  if (responseWatches !== undefined) {
    state.responseWatches = responseWatches.map(
      ([decisionId, actionId, dueTs, expired, features]) => new ResponseWatch(decisionId, actionId, dueTs, loadFeatures(features), expired === 1),
    );
  }
  const exposures = snapshot.exposures as [string, number, string, number, number][] | undefined;
  if (exposures !== undefined) state.exposures = exposures.map((e) => new CampaignExposure(...e));
  const purchaseWatch = snapshot.purchaseWatch as [number, number, StoredFeatures] | undefined;
  if (purchaseWatch !== undefined) state.purchaseWatch = new PurchaseWatch(purchaseWatch[0], loadFeatures(purchaseWatch[2]), purchaseWatch[1]);
  const contacts = snapshot.contacts as [number, [string, string, number, number, number, ContactOutcome?][]] | undefined;
  if (contacts !== undefined) {
    // Checkpoints written before outcomes were kept have five fields: pending.
    for (const [decisionId, actionId, channelIndex, ts, fromRequest, outcome] of contacts[1]) {
      state.contacts.record(decisionId, actionId, channelIndex, ts, fromRequest === 1, outcome ?? ContactOutcome.pending);
    }
    state.contacts.total = contacts[0];
  }
  return state;
}

export function encodeCustomer(state: CustomerState, initial: CustomerState): Uint8Array {
  return encodeStored(snapshotCustomer(state, initial));
}

export function decodeCustomer(bytes: Uint8Array, layout: StateLayout, run?: NumberRun): CustomerState {
  return restoreCustomer(decodeStored(bytes) as CustomerSnapshot, layout, run);
}

function restoreScores(scores: SurveyScores, [last, lastTs, sum, count]: [number, number, number, number]): void {
  scores.last = last;
  scores.lastTs = lastTs;
  scores.sum = sum;
  scores.count = count;
}
