import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { READY_LINE } from "./startSignal.js";

/**
 * The benchmark's child processes (engine, load generator, clients), started with the
 * same Node and tsx as the parent, and killed with SIGKILL if the parent exits or is
 * interrupted first, so a failed run never leaves a load generator behind.
 */
export class ChildProcesses {
  readonly #children = new Set<ChildProcess>();
  readonly #killAll = () => {
    for (const child of this.#children) child.kill("SIGKILL");
  };
  readonly #onSignal = (signal: NodeJS.Signals) => {
    this.#killAll();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };

  constructor() {
    process.on("exit", this.#killAll);
    process.once("SIGINT", this.#onSignal);
    process.once("SIGTERM", this.#onSignal);
  }

  /**
   * Starts `node --import tsx <script> ...args`; its stderr goes to ours, its stdout
   * lines to `onLine` (the last one is its result, see `result`).
   */
  start(script: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): BenchChild {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.#children.add(child);
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => {
        this.#children.delete(child);
        resolve(code);
      }),
    );
    return new BenchChild(script, child, exited);
  }

  /** Kills what is still running and stops watching for exit and signals. */
  dispose(): void {
    this.#killAll();
    process.off("exit", this.#killAll);
    process.off("SIGINT", this.#onSignal);
    process.off("SIGTERM", this.#onSignal);
  }
}

export class BenchChild {
  readonly name: string;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Resolves when a load process says it is prepared (see startSignal.ts). */
  readonly ready: Promise<void>;
  #lastLine = "";

  constructor(name: string, child: ChildProcess, exited: Promise<number | null>) {
    this.name = name;
    this.process = child;
    this.exited = exited;
    let markReady = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      void exited.then((code) => reject(new Error(`${name} exited (code ${code}) before it was ready`)));
    });
    this.ready.catch(() => undefined);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line === READY_LINE) markReady();
      else if (line.trim() !== "") this.#lastLine = line;
    });
  }

  /** Tells a waiting load process when to start (see startSignal.ts). */
  startAt(epochMs: number): void {
    this.process.stdin!.end(`${epochMs}\n`);
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** Waits for the child to exit and parses the JSON object it printed last. */
  async result<T>(): Promise<T> {
    const code = await this.exited;
    // Let readline hand over the last line, which may arrive after the exit event.
    await new Promise((resolve) => setImmediate(resolve));
    if (code !== 0) throw new Error(`${this.name} exited with code ${code}${this.process.signalCode === null ? "" : ` (killed by ${this.process.signalCode})`}`);
    return JSON.parse(this.#lastLine) as T;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
