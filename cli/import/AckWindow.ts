import type { AckedPublisher } from "../../connectors/nats/AckedPublisher.js";

/** The stream acknowledged nothing for too long: the import gives up instead of hanging. */
export class PublishStalledError extends Error {}

/** How often progress of the acknowledgements is checked while waiting for them. */
const STALL_CHECK_MS = 1_000;

/**
 * Bounds the publishes awaiting their acknowledgement: when `limit` are in flight, the
 * next publish waits until all of them are stored, so a slow server holds back the
 * reading of the file instead of the process buffering it. AckedPublisher resends a
 * publish that is not acknowledged (same Nats-Msg-Id, so the stream stores it once)
 * for as long as it takes; a command has to end, so waiting fails with
 * PublishStalledError once the stream has acknowledged nothing for `stallMs`.
 */
export class AckWindow {
  readonly #publisher: AckedPublisher;
  readonly #limit: number;
  readonly #stallMs: number;

  constructor(publisher: AckedPublisher, limit: number, stallMs: number) {
    this.#publisher = publisher;
    this.#limit = limit;
    this.#stallMs = stallMs;
  }

  /** Publishes acknowledged as stored (a repeat of an earlier run's message counts: the stream has it). */
  get acknowledged(): number {
    return this.#publisher.published;
  }

  async publish(subject: string, data: Uint8Array, msgID: string): Promise<void> {
    this.#publisher.publish(subject, data, msgID);
    if (this.#publisher.outstanding >= this.#limit) await this.settled();
  }

  /** Resolves once every publish so far is stored. */
  async settled(): Promise<void> {
    let lastCount = this.#publisher.published;
    let lastProgressAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_resolve, reject) => {
      timer = setInterval(() => {
        if (this.#publisher.published !== lastCount) {
          lastCount = this.#publisher.published;
          lastProgressAt = Date.now();
        } else if (Date.now() - lastProgressAt >= this.#stallMs) {
          reject(
            new PublishStalledError(
              `the stream acknowledged no publish for ${this.#stallMs / 1000} s (${this.#publisher.outstanding} waiting, ${this.#publisher.retries} resent)`,
            ),
          );
        }
      }, STALL_CHECK_MS);
    });
    try {
      await Promise.race([this.#publisher.settled(), stalled]);
    } finally {
      clearInterval(timer);
    }
  }
}
