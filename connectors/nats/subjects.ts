import type { Channel, InputErrorCode } from "../../engine/index.js";

/**
 * Every NATS subject cxpulse uses: the public contract, kept in this one module and
 * documented in the README. Customer ids in subjects are token-safe by contract
 * (the event schema rejects anything else with `unsafe_customer_id`).
 */
export const Subjects = {
  /** Inbound interactions: `cx.events.<channel>.<customerId>`, captured by stream CX_EVENTS. */
  eventsPrefix: "cx.events.",
  eventsAll: "cx.events.>",
  event: (channel: Channel, customerId: string) => `cx.events.${channel}.${customerId}`,

  /** Outbound decisions: `cx.decisions.<channel>.<customerId>`. */
  decisionsAll: "cx.decisions.>",
  decision: (channel: Channel, customerId: string) => `cx.decisions.${channel}.${customerId}`,

  /**
   * The engine's own log of decisions it made on request (they change contact
   * histories without an inbound event): `cx.decision-log.<channel>.<customerId>`,
   * captured with the decisions by stream CX_DECISIONS and replayed on recovery.
   */
  decisionLogAll: "cx.decision-log.>",
  decisionLog: (channel: Channel, customerId: string) => `cx.decision-log.${channel}.${customerId}`,

  /**
   * Segment membership changes: `cx.segments.<segment>.<customerId>`, captured with the
   * decisions by stream CX_DECISIONS (segment ids are token-safe by the config schema).
   */
  segmentsAll: "cx.segments.>",
  segmentChange: (segment: string, customerId: string) => `cx.segments.${segment}.${customerId}`,

  /** Request/reply next-best-action for an inbound moment: `cx.decide.<channel>`. */
  decidePrefix: "cx.decide.",
  decideAll: "cx.decide.*",
  decide: (channel: Channel) => `cx.decide.${channel}`,

  /** Request/reply queries. */
  queryProfile: "cx.query.profile",
  queryMetrics: "cx.query.metrics",
  /** Analyses over the customers in memory: profit deciles and lifetime value, drivers of detractor status. */
  queryInsights: "cx.query.insights",
  /** Each campaign's test design, counters per arm, and each variant's lift over its control. */
  queryCampaigns: "cx.query.campaigns",
  /** Segment sizes, a sample of a segment's members, or one customer's segments. */
  querySegments: "cx.query.segments",
  /** Group-by over the live cube's pre-aggregated cells (segment, channel, lifecycle stage, value tier, NPS class, month). */
  queryCube: "cx.query.cube",
  /** What segments' members look like: every profile, one, or two compared (docs/segment-profiles.md). */
  querySegmentProfiles: "cx.query.segment-profiles",

  /** Periodic snapshots of the business metrics over every configured window. */
  metricsBusiness: "cx.metrics.business",

  /** Request/reply: reload the catalog and triggers from the configuration file. */
  adminReload: "cx.admin.reload",

  /** Rejected input with its original bytes: `cx.dlq.<code>`. */
  dlqAll: "cx.dlq.>",
  dlq: (code: InputErrorCode) => `cx.dlq.${code}`,
} as const;

/** Queue group of the request/reply services, so several engines share the load. */
export const SERVICE_QUEUE = "cxpulse";
