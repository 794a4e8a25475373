import { CHANNEL_INDEX, type Channel } from "./Channel.js";
import { EVENT_TYPE_INDEX, type EventType } from "./EventType.js";
import type { EventAttributes, EventInput } from "./eventSchema.js";

/**
 * A validated event in one fixed shape. Decoded objects take whatever hidden class
 * the producer's key order gives them; copying the fields once here lets the state
 * reducer and every compiled rule read a monomorphic object. The engine reuses one
 * instance, so nothing may keep a reference to it past the event.
 */
export class InteractionEvent {
  id = "";
  customerId = "";
  type: EventType = "profile";
  typeIndex = 0;
  channel: Channel = "web";
  channelIndex = 0;
  ts = 0;
  /** Stream sequence of the message; 0 when the event did not come from a stream. */
  seq = 0;
  /** Money in: purchase, payment, conversion; money out: refund. 0 when absent. */
  amount = 0;
  cost = 0;
  product = "";
  category = "";
  /** Survey kind for surveys, response kind for offer responses. */
  survey = "";
  score = Number.NaN;
  offerId = "";
  decisionId = "";
  response = "";
  reason = "";
  page = "";
  complaintId = "";
  attrs: EventAttributes | null = null;
  /** The validated input, for the few type-specific fields read once (profile attributes). */
  input: EventInput | null = null;

  assign(input: EventInput, seq: number): this {
    const fields = input as Partial<Record<string, unknown>>;
    this.id = input.id;
    this.customerId = input.customerId;
    this.type = input.type;
    this.typeIndex = EVENT_TYPE_INDEX.get(input.type)!;
    this.channel = input.channel;
    this.channelIndex = CHANNEL_INDEX.get(input.channel)!;
    this.ts = input.ts;
    this.seq = seq;
    this.amount = (fields.amount as number | undefined) ?? 0;
    this.cost = input.cost ?? 0;
    this.product = (fields.product as string | undefined) ?? "";
    this.category = (fields.category as string | undefined) ?? "";
    this.survey = (fields.survey as string | undefined) ?? "";
    this.score = (fields.score as number | undefined) ?? Number.NaN;
    this.offerId = (fields.offerId as string | undefined) ?? "";
    this.decisionId = (fields.decisionId as string | undefined) ?? "";
    this.response = (fields.response as string | undefined) ?? "";
    this.reason = (fields.reason as string | undefined) ?? "";
    this.page = (fields.page as string | undefined) ?? "";
    this.complaintId = (fields.complaintId as string | undefined) ?? "";
    this.attrs = input.attrs ?? null;
    this.input = input;
    return this;
  }
}
