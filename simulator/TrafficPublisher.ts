import type { NatsConnection } from "@nats-io/transport-node";
import type { TrafficSimulator } from "./TrafficSimulator.js";

export interface TrafficPublisherOptions {
  readonly nc: NatsConnection;
  readonly simulator: TrafficSimulator;
  /** Messages per second, held constant (open loop: a slow consumer does not slow the sender). */
  readonly ratePerSecond: number;
  /** Wall clock for event times; Date.now by default. */
  readonly now?: () => number;
}

const TICK_MS = 10;

/**
 * Publishes simulated traffic at a constant rate with core NATS publishes into the
 * stream's subjects (the fastest way to fill a stream). Each tick sends what is due
 * since the start, so pauses are caught up instead of silently lowering the rate.
 */
export class TrafficPublisher {
  readonly #options: TrafficPublisherOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  sent = 0;
  malformed = 0;

  constructor(options: TrafficPublisherOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#options.nc.flush();
  }

  #tick(): void {
    const { nc, simulator, ratePerSecond } = this.#options;
    const due = Math.floor(((performance.now() - this.#startedAt) / 1000) * ratePerSecond) - this.sent;
    const ts = this.#now();
    for (let i = 0; i < due; i++) {
      const message = simulator.nextMessage(ts);
      nc.publish(message.subject, message.data);
      if (message.malformed !== undefined) this.malformed++;
    }
    this.sent += Math.max(0, due);
  }
}
