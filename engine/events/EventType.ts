/** The interaction types the engine understands; the index of each is its slot in counters. */
export const EVENT_TYPES = [
  "profile",
  "signup",
  "purchase",
  "refund",
  "payment",
  "service_call",
  "complaint",
  "complaint_resolved",
  "web_visit",
  "page_view",
  "login",
  "survey",
  "offer_response",
  "cancel",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_TYPE_INDEX: ReadonlyMap<string, number> = new Map(
  EVENT_TYPES.map((type, index) => [type, index]),
);

/** Numeric codes of the types the state reducer branches on; kept in step with EVENT_TYPES. */
export const EventTypeIndex = {
  profile: 0,
  signup: 1,
  purchase: 2,
  refund: 3,
  payment: 4,
  service_call: 5,
  complaint: 6,
  complaint_resolved: 7,
  web_visit: 8,
  page_view: 9,
  login: 10,
  survey: 11,
  offer_response: 12,
  cancel: 13,
} as const satisfies Record<EventType, number>;
