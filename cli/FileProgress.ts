import { Presets, SingleBar } from "cli-progress";

/** How often the bar is redrawn from the counters; it is polled, so the row loop pays nothing for it. */
const REDRAW_INTERVAL_MS = 200;

export interface ProgressReading {
  /** Bytes of the file done, or entries for a progress counted in entries. */
  readonly bytes: number;
  /** Shown after the bar, e.g. rows and rejections so far. */
  readonly detail: string;
}

/**
 * A progress bar on stderr, by bytes of the file (or by entries, for a source that is
 * no file), shown only when stderr is a terminal: a pipe or a log file gets no control
 * characters. Each phase (e.g. hashing a file, then importing it) runs the bar from 0 to
 * the total.
 */
export class FileProgress {
  readonly #bar: SingleBar | undefined;
  readonly #totalBytes: number;
  readonly #amount: (done: number) => string;
  #timer: NodeJS.Timeout | undefined;
  #read: () => ProgressReading = () => ({ bytes: 0, detail: "" });

  constructor(totalBytes: number, stream: NodeJS.WriteStream = process.stderr, unit: "MB" | "entries" = "MB") {
    this.#totalBytes = totalBytes;
    this.#amount = unit === "MB" ? megabytes : (done) => done.toLocaleString("en-US");
    this.#bar = stream.isTTY
      ? new SingleBar(
          {
            stream,
            format: `{phase} |{bar}| {percentage}% | {done} of {size} ${unit} | ETA {eta_formatted} {detail}`,
            hideCursor: true,
            etaBuffer: 50,
          },
          Presets.shades_classic,
        )
      : undefined;
  }

  /** Starts a phase; `read` is polled for the bytes done and the detail to show. */
  phase(name: string, read: () => ProgressReading): void {
    if (this.#bar === undefined) return;
    this.stop();
    this.#read = read;
    this.#bar.start(this.#totalBytes, 0, { phase: name.padEnd(9), done: this.#amount(0), size: this.#amount(this.#totalBytes), detail: "" });
    this.#timer = setInterval(() => this.#redraw(), REDRAW_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Draws the phase's final state and leaves its bar on its line. */
  stop(): void {
    if (this.#bar === undefined || this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#redraw();
    this.#bar.stop();
  }

  #redraw(): void {
    const { bytes, detail } = this.#read();
    this.#bar!.update(bytes, { done: this.#amount(bytes), detail });
  }
}

function megabytes(bytes: number): string {
  return (bytes / 1_048_576).toFixed(1);
}
