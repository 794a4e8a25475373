import { CHANNELS, EVENT_TYPES, type Channel, type EventInput, type EventType } from "../../../engine/index.js";
import { InteractionEvent } from "../../../engine/events/InteractionEvent.js";
import { CustomerState, StateLayout, type LifecyclePolicy } from "../../../engine/state/CustomerState.js";

/** 2026-11-02T00:00:00Z, the start of a daily bucket. */
export const T0 = Date.UTC(2026, 10, 2);
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const LIFECYCLE: LifecyclePolicy = { newForMs: 30 * DAY, atRiskAfterMs: 60 * DAY, churnedAfterMs: 180 * DAY };

export function layout(overrides: Partial<ConstructorParameters<typeof StateLayout>[0]> = {}): StateLayout {
  return new StateLayout({
    allowedLatenessMs: HOUR,
    recentInteractions: 5,
    contactHistory: 3,
    maxProducts: 3,
    lifecycle: LIFECYCLE,
    ...overrides,
  });
}

let nextId = 0;

/** A validated-looking event input; the state trusts its caller (the validator ran before). */
export function input(type: EventType, fields: Record<string, unknown> = {}): EventInput {
  return { id: `s${++nextId}`, customerId: "C1", type, channel: "web", ts: T0, ...fields } as unknown as EventInput;
}

/** Applies events in order to one state through a reused InteractionEvent, as the engine does. */
export class StateDriver {
  readonly layout: StateLayout;
  readonly state: CustomerState;
  readonly #event = new InteractionEvent();
  #seq = 0;

  constructor(options: Partial<ConstructorParameters<typeof StateLayout>[0]> = {}) {
    this.layout = layout(options);
    this.state = new CustomerState("C1", this.layout);
  }

  apply(type: EventType, fields: Record<string, unknown> = {}, options: { windowed?: boolean; seq?: number } = {}): boolean {
    const event = this.#event.assign(input(type, fields), options.seq ?? ++this.#seq);
    return this.state.apply(event, options.windowed ?? true, this.layout.maxProducts);
  }
}

export const typeIndex = (type: EventType) => EVENT_TYPES.indexOf(type);
export const channelIndex = (channel: Channel) => CHANNELS.indexOf(channel);
