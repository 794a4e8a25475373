import type { NatsConnection } from "@nats-io/transport-node";
import { build, type Histogram } from "hdr-histogram-js";
import { Subjects } from "../connectors/nats/subjects.js";
import { encodeOutbound, type Channel } from "../engine/index.js";
import { Rng } from "./Rng.js";
import { TrafficSimulator } from "./TrafficSimulator.js";

export interface DecideRequesterOptions {
  readonly nc: NatsConnection;
  readonly ratePerSecond: number;
  /** Customers to ask about: ids C0..C<customers-1>, as the simulator names them. */
  readonly customers: number;
  readonly channels: readonly Channel[];
  readonly seed?: number;
  readonly timeoutMs?: number;
}

/** Requests are scheduled in 1 ms slots; each slot's requests are due at the slot's start. */
const SLOT_MS = 1;

/**
 * Sends `cx.decide.<channel>` requests at a constant rate and records each latency from
 * the time the request was due, not from when it was sent, so a stalled engine shows
 * up as latency instead of as fewer requests (no coordinated omission).
 */
export class DecideRequester {
  /** Microseconds from the request's scheduled time to its reply: includes any delay in sending it. */
  readonly latencyUs: Histogram = newLatencyHistogram();
  /** Microseconds from the moment the request was actually sent to its reply: what the caller saw. */
  readonly responseUs: Histogram = newLatencyHistogram();
  readonly #options: DecideRequesterOptions;
  readonly #rng: Rng;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #slot = 0;
  #inFlight = new Set<Promise<void>>();
  sent = 0;
  answered = 0;
  errors = 0;

  constructor(options: DecideRequesterOptions) {
    this.#options = options;
    this.#rng = new Rng(options.seed ?? 7);
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#timer = setInterval(() => this.#tick(), SLOT_MS);
  }

  /** Stops sending and waits for the replies still outstanding. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all(this.#inFlight);
  }

  #tick(): void {
    const { ratePerSecond } = this.#options;
    const currentSlot = Math.floor((performance.now() - this.#startedAt) / SLOT_MS);
    for (; this.#slot <= currentSlot; this.#slot++) {
      const dueBySlotEnd = Math.floor(((this.#slot + 1) * SLOT_MS * ratePerSecond) / 1000);
      const intendedAt = this.#startedAt + this.#slot * SLOT_MS;
      for (; this.sent < dueBySlotEnd; this.sent++) this.#send(intendedAt);
    }
  }

  #send(intendedAt: number): void {
    const { nc, customers, channels, timeoutMs } = this.#options;
    const sentAt = performance.now();
    const channel = this.#rng.pick(channels);
    const customerId = TrafficSimulator.customerId(this.#rng.int(customers));
    const body = encodeOutbound({ customerId, context: { page: "/home" } });
    const request = nc
      .request(Subjects.decide(channel), body, { timeout: timeoutMs ?? 5_000 })
      .then(
        (reply) => {
          if (reply.headers?.get("Nats-Service-Error-Code")) this.errors++;
          else this.answered++;
        },
        () => {
          this.errors++;
        },
      )
      .finally(() => {
        const now = performance.now();
        this.latencyUs.recordValue(Math.max(1, Math.round((now - intendedAt) * 1000)));
        this.responseUs.recordValue(Math.max(1, Math.round((now - sentAt) * 1000)));
        this.#inFlight.delete(request);
      });
    this.#inFlight.add(request);
  }
}

function newLatencyHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}
