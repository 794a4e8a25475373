import { CHANNELS } from "../events/Channel.js";
import {
  complaintHistoryIndexOf,
  COMPLAINT_HISTORIES,
  CUSTOMER_STATUSES,
  lifecycleStatusIndex,
  LifecycleFacts,
  VALUE_TIERS,
  WINDOW_SERIES_NAMES,
  type CustomerState,
  type LifecyclePolicy,
} from "../state/CustomerState.js";
import { FeatureVector } from "./FeatureVector.js";

/** The rolling-window span the features read: the longest a customer's window answers (MAX_WINDOW_DAYS). */
const WINDOW_DAYS = 30;

const seed = FeatureVector.seed;
/** Every name and every known level hashed once, at load: filling a vector hashes only free text (plan, region). */
const S = {
  recencyDays: seed("recencyDays"),
  daysSinceLastPurchase: seed("daysSinceLastPurchase"),
  daysSinceLastComplaint: seed("daysSinceLastComplaint"),
  daysSinceLastDecline: seed("daysSinceLastDecline"),
  tenureDays: seed("tenureDays"),
  purchases: seed("purchases"),
  purchaseAmount: seed("purchaseAmount"),
  revenue: seed("revenue"),
  refunds: seed("refunds"),
  cost: seed("cost"),
  serviceCalls: seed("serviceCalls"),
  npsLast: seed("npsLast"),
  npsMean: seed("npsMean"),
  csatLast: seed("csatLast"),
  csatMean: seed("csatMean"),
  cesLast: seed("cesLast"),
  openComplaints: seed("openComplaints"),
  complaints: seed("complaints"),
  offerResponses: seed("offerResponses"),
  offersAccepted: seed("offersAccepted"),
  offersDeclined: seed("offersDeclined"),
  products: seed("products"),
  plan: seed("plan"),
  region: seed("region"),
} as const;
const CHANNEL_COUNT_SEEDS = CHANNELS.map((channel) => seed(`events.${channel}`));
const WINDOW_SEEDS = WINDOW_SERIES_NAMES.map((series) => seed(`${series}${WINDOW_DAYS}d`));
const STATUS_HASHES = CUSTOMER_STATUSES.map((status) => FeatureVector.categoryHash(seed("status"), status));
const VALUE_TIER_HASHES = VALUE_TIERS.map((tier) => FeatureVector.categoryHash(seed("valueTier"), tier));
const COMPLAINT_HASHES = COMPLAINT_HISTORIES.map((history) => FeatureVector.categoryHash(seed("complaintHistory"), history));
/** One more level than channels: no stated preference. */
const PREFERRED_CHANNEL_HASHES = [...CHANNELS, "none"].map((channel) => FeatureVector.categoryHash(seed("preferredChannel"), channel));

/** Entries `customerFeatures` adds, bias included: the capacity its vectors need. */
export const CUSTOMER_FEATURE_COUNT = 1 + Object.keys(S).length + CHANNELS.length + WINDOW_SERIES_NAMES.length + 4;

const facts = new LifecycleFacts();
const windowSums = new Float64Array(WINDOW_SERIES_NAMES.length);

/**
 * Fills `into` with a customer's features at `nowTs` (event time) for the online
 * models: recency, frequency and monetary value, tenure, cost to serve, contacts per
 * channel, the 30-day window sums, the last and mean survey scores, complaints, offer
 * responses, and as categories the lifecycle status, value tier, complaint history,
 * preferred channel, plan and region. Numbers go in raw (the model scales them); a time
 * since something that never happened, or a survey never answered, is that feature's
 * missing indicator. Allocates nothing (benchmark: models, "customer features + predict").
 */
export function customerFeatures(state: CustomerState, nowTs: number, policy: LifecyclePolicy, into: FeatureVector): FeatureVector {
  into.clear();
  into.addNumeric(S.recencyDays, state.daysSince(state.lastActiveTs, nowTs));
  into.addNumeric(S.daysSinceLastPurchase, state.daysSince(state.lastPurchaseTs, nowTs));
  into.addNumeric(S.daysSinceLastComplaint, state.daysSince(state.lastComplaintTs, nowTs));
  into.addNumeric(S.daysSinceLastDecline, state.daysSince(state.lastDeclineTs, nowTs));
  into.addNumeric(S.tenureDays, state.tenureDays(nowTs));
  into.addNumeric(S.purchases, state.purchases);
  into.addNumeric(S.purchaseAmount, state.purchaseAmount);
  into.addNumeric(S.revenue, state.revenue);
  into.addNumeric(S.refunds, state.refunds);
  into.addNumeric(S.cost, state.cost);
  into.addNumeric(S.serviceCalls, state.serviceCalls);
  into.addNumeric(S.npsLast, state.nps.last);
  into.addNumeric(S.npsMean, state.nps.mean);
  into.addNumeric(S.csatLast, state.csat.last);
  into.addNumeric(S.csatMean, state.csat.mean);
  into.addNumeric(S.cesLast, state.ces.last);
  into.addNumeric(S.openComplaints, state.openComplaints);
  into.addNumeric(S.complaints, state.complaints);
  into.addNumeric(S.offerResponses, state.offerResponses);
  into.addNumeric(S.offersAccepted, state.offersAccepted);
  into.addNumeric(S.offersDeclined, state.offersDeclined);
  into.addNumeric(S.products, state.products.length);
  for (let c = 0; c < CHANNEL_COUNT_SEEDS.length; c++) into.addNumeric(CHANNEL_COUNT_SEEDS[c]!, state.eventsByChannel[c]!);
  state.window.sums(nowTs, WINDOW_DAYS, windowSums);
  for (let s = 0; s < WINDOW_SEEDS.length; s++) into.addNumeric(WINDOW_SEEDS[s]!, windowSums[s]!);
  into.addCategoryHash(STATUS_HASHES[lifecycleStatusIndex(LifecycleFacts.of(state, facts), nowTs, policy)]!);
  into.addCategoryHash(VALUE_TIER_HASHES[state.valueTier]!);
  into.addCategoryHash(COMPLAINT_HASHES[complaintHistoryIndexOf(state.complaints, state.openComplaints)]!);
  into.addCategoryHash(PREFERRED_CHANNEL_HASHES[state.preferredChannel < 0 ? CHANNELS.length : state.preferredChannel]!);
  into.addCategorical(S.plan, state.plan);
  into.addCategorical(S.region, state.region);
  return into;
}
