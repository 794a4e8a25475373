import { CampaignExposure } from "../campaigns/CampaignExposure.js";
import { loadFeatures, PurchaseWatch, ResponseWatch, storeFeatures, type StoredFeatures } from "../models/LabelWatch.js";
import { ContactOutcome } from "../state/ContactHistory.js";
import { CustomerState, type StateLayout, type SurveyScores } from "../state/CustomerState.js";
import type { NumberRun } from "../state/NumberSlabs.js";
import { customerStrings } from "../state/StringInterner.js";
import type { SparseWindow } from "../windows/SparseWindow.js";
import { decodeStored, encodeStored } from "../wire/storedRecord.js";

/**
 * A customer's state as checkpoints store it, and as idle customers may be held:
 * plain MessagePack, readable by any tool, and compact, as bytes per customer count.
 * Parts still at their initial value are left out; restoring starts from a fresh state
 * and sets what is there.
 *
 * The compact format (`v: 2`), by key:
 *
 * | key | holds |
 * |---|---|
 * | `v` | 2, the format version |
 * | `id` | the customer id |
 * | `b` | the base time (lastSeenTs): every time below is written as `b - time`, a small integer where an epoch-ms time took a float64; no `b`, times as they are (see TimeBase) |
 * | `s` | the SCALAR_FIELDS by position, nil where a field is at its initial value |
 * | `et`, `ec` | eventsByType, eventsByChannel |
 * | `pt` | profileTs, nil where a field was never set |
 * | `pr`, `ca` | products, categories |
 * | `sv` | [nps, csat, ces], each nil or [last, lastTs, sum, count] |
 * | `at`, `ats` | attributes, and the time each was set |
 * | `w` | the window: newest bucket, then per non-empty bucket its age (newest bucket - bucket), a mask of the series not zero, their values |
 * | `r` | recent interactions, oldest first, five values each: ts, type index, channel index, amount, detail |
 * | `co` | contacts: the total recorded, then six values per entry held, oldest first: decision id, action id, channel index, ts, from a request (1/0), outcome |
 * | `rw` | response watches: [decisionId, actionId, dueTs, expired (1/0), features] |
 * | `ex` | campaign exposures: [campaignId, arm, decisionId, ts, outcomes] |
 * | `pw` | the purchase watch: [dueTs, bought, features] |
 *
 * Records without `v` are the named format written before (every field under its own
 * name, times as they are); they still decode.
 */
export type CustomerSnapshot = Record<string, unknown>;

const COMPACT_FORMAT = 2;

/**
 * The plain number and string fields. The compact format stores them by position in
 * this order: add new fields at the end, never reorder or remove one (a record written
 * before a field was added is shorter, and the field keeps its initial value).
 */
export const SCALAR_FIELDS = [
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

/** Per scalar field, whether it is a time (epoch ms; by the state's naming, `…Ts`), written relative to the base. */
const SCALAR_IS_TIME = SCALAR_FIELDS.map((field) => field.endsWith("Ts"));

const SURVEYS = ["nps", "csat", "ces"] as const satisfies readonly (keyof CustomerState)[];

type StoredScores = [last: number, lastTs: number, sum: number, count: number];
type StoredResponseWatch = [decisionId: string, actionId: string, dueTs: number, expired: number, features: StoredFeatures];
type StoredExposure = [campaignId: string, arm: number, decisionId: string, ts: number, outcomes: number];
type StoredPurchaseWatch = [dueTs: number, bought: number, features: StoredFeatures];

/**
 * How a record writes its times. Epoch-ms times are integers beyond 32 bits, which
 * MessagePack stores in 9 bytes; their distance back from the customer's last event is
 * mostly under 50 days, 5 bytes, and 1 byte when it is the last event's own time. A
 * distance must give the time back exactly: a time for which it would not (a fraction,
 * or beyond 2^53) clears `exact`, and the record is written again with times as they
 * are (no base).
 */
class TimeBase {
  readonly base: number | undefined;
  exact = true;

  constructor(base: number | undefined) {
    this.base = base;
  }

  relative(ts: number): number {
    if (this.base === undefined) return ts;
    const distance = this.base - ts;
    if (!Object.is(this.base - distance, ts)) this.exact = false;
    return distance;
  }

  absolute(written: number): number {
    return this.base === undefined ? written : this.base - written;
  }
}

/** Times written as they are: a record without a base, and every record of the named format. */
const ABSOLUTE_TIMES = new TimeBase(undefined);

export function snapshotCustomer(state: CustomerState, initial: CustomerState): CustomerSnapshot {
  const times = new TimeBase(state.lastSeenTs);
  const snapshot = compactSnapshot(state, initial, times);
  return times.exact ? snapshot : compactSnapshot(state, initial, ABSOLUTE_TIMES);
}

function compactSnapshot(state: CustomerState, initial: CustomerState, times: TimeBase): CustomerSnapshot {
  const snapshot: CustomerSnapshot = { v: COMPACT_FORMAT, id: state.customerId };
  if (times.base !== undefined) snapshot.b = times.base;
  const scalars = new Array<unknown>(SCALAR_FIELDS.length);
  for (let i = 0; i < SCALAR_FIELDS.length; i++) {
    const field = SCALAR_FIELDS[i]!;
    const value = state[field];
    scalars[i] = Object.is(value, initial[field]) ? null : SCALAR_IS_TIME[i] ? times.relative(value as number) : value;
  }
  snapshot.s = scalars;
  if (state.eventsByType.some((count) => count !== 0)) snapshot.et = [...state.eventsByType];
  if (state.eventsByChannel.some((count) => count !== 0)) snapshot.ec = [...state.eventsByChannel];
  const profileTs = state.profileTs;
  if (profileTs.some((ts) => ts !== 0)) snapshot.pt = Array.from(profileTs, (ts) => (Object.is(ts, 0) ? null : times.relative(ts)));
  if (state.products.length > 0) snapshot.pr = state.products;
  if (state.categories.length > 0) snapshot.ca = state.categories;
  if (SURVEYS.some((field) => state[field].count > 0)) {
    snapshot.sv = SURVEYS.map((field) => {
      const scores = state[field];
      return scores.count === 0 ? null : [scores.last, times.relative(scores.lastTs), scores.sum, scores.count];
    });
  }
  if (state.attributes !== null) snapshot.at = state.attributes;
  if (state.attributeTs !== null) {
    const attributeTs: Record<string, number> = {};
    for (const [key, ts] of Object.entries(state.attributeTs)) attributeTs[key] = times.relative(ts);
    snapshot.ats = attributeTs;
  }
  if (state.window.newestBucket >= 0) snapshot.w = compactWindow(state.window);
  if (state.recent.size > 0) {
    const recent: unknown[] = [];
    state.recent.forEach((ts, typeIndex, channelIndex, amount, detail) => recent.push(times.relative(ts), typeIndex, channelIndex, amount, detail));
    snapshot.r = recent;
  }
  if (state.contacts.total > 0) {
    const contacts: unknown[] = [state.contacts.total];
    for (const c of state.contacts.toArray()) contacts.push(c.decisionId, c.actionId, c.channelIndex, times.relative(c.ts), c.fromRequest ? 1 : 0, c.outcome);
    snapshot.co = contacts;
  }
  if (state.responseWatches !== null) {
    snapshot.rw = state.responseWatches.map((w) => [w.decisionId, w.actionId, times.relative(w.dueTs), w.expired ? 1 : 0, storeFeatures(w.features)]);
  }
  if (state.exposures !== null) {
    snapshot.ex = state.exposures.map((e) => [e.campaignId, e.arm, e.decisionId, times.relative(e.ts), e.outcomes]);
  }
  if (state.purchaseWatch !== null) {
    const w = state.purchaseWatch;
    snapshot.pw = [times.relative(w.dueTs), w.bought, storeFeatures(w.features)];
  }
  return snapshot;
}

/**
 * The window's non-empty buckets with only their series that are not zero: a customer
 * is active on a few days, with about 2 of the 7 series on such a day. Ages from the
 * newest bucket are small integers where bucket numbers took 3 bytes.
 */
function compactWindow(window: SparseWindow): number[] {
  const newestBucket = window.newestBucket;
  const seriesCount = window.shape.seriesCount;
  const sparse = window.toSparse();
  const compact = [newestBucket];
  for (let at = 0; at < sparse.length; at += seriesCount + 1) {
    compact.push(newestBucket - sparse[at]!);
    const maskAt = compact.length;
    compact.push(0);
    let mask = 0;
    for (let series = 0; series < seriesCount; series++) {
      const value = sparse[at + 1 + series]!;
      if (value === 0) continue;
      mask |= 1 << series;
      compact.push(value);
    }
    compact[maskAt] = mask;
  }
  return compact;
}

function restoreWindow(window: SparseWindow, compact: readonly number[]): void {
  const newestBucket = compact[0]!;
  const seriesCount = window.shape.seriesCount;
  const sparse: number[] = [];
  for (let at = 1; at < compact.length; ) {
    sparse.push(newestBucket - compact[at]!);
    const mask = compact[at + 1]!;
    at += 2;
    for (let series = 0; series < seriesCount; series++) sparse.push((mask & (1 << series)) !== 0 ? compact[at++]! : 0);
  }
  window.restoreSparse(newestBucket, sparse);
}

/** `run`: zeroed numbers for the restored state (see CustomerState's constructor). */
export function restoreCustomer(snapshot: CustomerSnapshot, layout: StateLayout, run?: NumberRun): CustomerState {
  if (snapshot.v === undefined) return restoreNamedSnapshot(snapshot, layout, run);
  if (snapshot.v !== COMPACT_FORMAT) throw new TypeError(`customer snapshot has format ${String(snapshot.v)}, this engine reads ${COMPACT_FORMAT}`);
  const customerId = snapshot.id;
  if (typeof customerId !== "string") throw new TypeError("customer snapshot has no id");
  const state = new CustomerState(customerId, layout, run);
  const times = snapshot.b === undefined ? ABSOLUTE_TIMES : new TimeBase(snapshot.b as number);
  const writable = state as unknown as Record<ScalarField, unknown>;
  const scalars = snapshot.s as unknown[];
  for (let i = 0; i < Math.min(scalars.length, SCALAR_FIELDS.length); i++) {
    const value = scalars[i];
    if (value === null) continue;
    writable[SCALAR_FIELDS[i]!] = typeof value === "string" ? customerStrings.intern(value) : SCALAR_IS_TIME[i] ? times.absolute(value as number) : value;
  }
  restoreCounters(state.eventsByType, snapshot.et as number[] | undefined);
  restoreCounters(state.eventsByChannel, snapshot.ec as number[] | undefined);
  const profileTimes = snapshot.pt as (number | null)[] | undefined;
  if (profileTimes !== undefined) restoreCounters(state.profileTs, profileTimes.map((ts) => (ts === null ? 0 : times.absolute(ts))));
  restoreLists(state, snapshot.pr as string[] | undefined, snapshot.ca as string[] | undefined);
  const surveys = snapshot.sv as (StoredScores | null)[] | undefined;
  if (surveys !== undefined) SURVEYS.forEach((field, i) => restoreScores(state, field, surveys[i] ?? undefined, times));
  const attributeTs = snapshot.ats as Record<string, number> | undefined;
  if (attributeTs !== undefined) for (const key of Object.keys(attributeTs)) attributeTs[key] = times.absolute(attributeTs[key]!);
  restoreAttributes(state, snapshot.at, attributeTs);
  const window = snapshot.w as number[] | undefined;
  if (window !== undefined) restoreWindow(state.window, window);
  const recent = (snapshot.r as (number | string)[] | undefined) ?? [];
  for (let at = 0; at < recent.length; at += 5) {
    const detail = customerStrings.intern(recent[at + 4] as string);
    state.recent.record(times.absolute(recent[at] as number), recent[at + 1] as number, recent[at + 2] as number, recent[at + 3] as number, detail);
  }
  const contacts = snapshot.co as (number | string)[] | undefined;
  if (contacts !== undefined) {
    for (let at = 1; at < contacts.length; at += 6) {
      const ts = times.absolute(contacts[at + 3] as number);
      state.contacts.record(contacts[at] as string, contacts[at + 1] as string, contacts[at + 2] as number, ts, contacts[at + 4] === 1, contacts[at + 5] as ContactOutcome);
    }
    state.contacts.total = contacts[0] as number;
  }
  restoreWatches(state, snapshot.rw as StoredResponseWatch[] | undefined, snapshot.pw as StoredPurchaseWatch | undefined, times);
  restoreExposures(state, snapshot.ex as StoredExposure[] | undefined, times);
  return state;
}

/** A record of the named format, written before the compact one: every field under its name, times as they are. */
function restoreNamedSnapshot(snapshot: CustomerSnapshot, layout: StateLayout, run?: NumberRun): CustomerState {
  const customerId = snapshot.customerId;
  if (typeof customerId !== "string") throw new TypeError("customer snapshot has no customerId");
  const state = new CustomerState(customerId, layout, run);
  const writable = state as unknown as Record<ScalarField, unknown>;
  for (const field of SCALAR_FIELDS) {
    if (!(field in snapshot)) continue;
    const value = snapshot[field];
    writable[field] = typeof value === "string" ? customerStrings.intern(value) : value;
  }
  restoreCounters(state.eventsByType, snapshot.eventsByType as number[] | undefined);
  restoreCounters(state.eventsByChannel, snapshot.eventsByChannel as number[] | undefined);
  restoreCounters(state.profileTs, snapshot.profileTs as number[] | undefined);
  restoreLists(state, snapshot.products as string[] | undefined, snapshot.categories as string[] | undefined);
  for (const field of SURVEYS) restoreScores(state, field, snapshot[field] as StoredScores | undefined, ABSOLUTE_TIMES);
  restoreAttributes(state, snapshot.attributes, snapshot.attributeTs as Record<string, number> | undefined);
  const window = snapshot.window as [number, number[]] | undefined;
  if (window !== undefined) state.window.restoreSparse(window[0], window[1]);
  for (const [ts, typeIndex, channelIndex, amount, detail] of (snapshot.recent as [number, number, number, number, string][] | undefined) ?? []) {
    state.recent.record(ts, typeIndex, channelIndex, amount, customerStrings.intern(detail));
  }
  restoreWatches(state, snapshot.responseWatches as StoredResponseWatch[] | undefined, snapshot.purchaseWatch as StoredPurchaseWatch | undefined, ABSOLUTE_TIMES);
  restoreExposures(state, snapshot.exposures as StoredExposure[] | undefined, ABSOLUTE_TIMES);
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

function restoreCounters(counters: number[] | Float64Array, values: readonly number[] | undefined): void {
  if (values === undefined) return;
  for (let i = 0; i < Math.min(values.length, counters.length); i++) counters[i] = values[i]!;
}

function restoreLists(state: CustomerState, products: string[] | undefined, categories: string[] | undefined): void {
  if (products !== undefined) state.products = products.map((value) => customerStrings.intern(value));
  if (categories !== undefined) state.categories = categories.map((value) => customerStrings.intern(value));
}

function restoreScores(state: CustomerState, field: (typeof SURVEYS)[number], stored: StoredScores | undefined, times: TimeBase): void {
  if (stored === undefined) return;
  const scores: SurveyScores = state.scoresOf(field);
  const [last, lastTs, sum, count] = stored;
  scores.last = last;
  scores.lastTs = times.absolute(lastTs);
  scores.sum = sum;
  scores.count = count;
}

function restoreAttributes(state: CustomerState, attributes: unknown, attributeTs: Record<string, number> | undefined): void {
  if (attributes !== undefined) state.attributes = attributes as CustomerState["attributes"];
  if (attributeTs !== undefined) state.attributeTs = attributeTs;
}

function restoreWatches(state: CustomerState, responseWatches: StoredResponseWatch[] | undefined, purchaseWatch: StoredPurchaseWatch | undefined, times: TimeBase): void {
  if (responseWatches !== undefined) {
    state.responseWatches = responseWatches.map(
      ([decisionId, actionId, dueTs, expired, features]) => new ResponseWatch(decisionId, actionId, times.absolute(dueTs), loadFeatures(features), expired === 1),
    );
  }
  if (purchaseWatch !== undefined) {
    const [dueTs, bought, features] = purchaseWatch;
    state.purchaseWatch = new PurchaseWatch(times.absolute(dueTs), loadFeatures(features), bought);
  }
}

function restoreExposures(state: CustomerState, exposures: StoredExposure[] | undefined, times: TimeBase): void {
  if (exposures === undefined) return;
  state.exposures = exposures.map(([campaignId, arm, decisionId, ts, outcomes]) => new CampaignExposure(campaignId, arm, decisionId, times.absolute(ts), outcomes));
}
