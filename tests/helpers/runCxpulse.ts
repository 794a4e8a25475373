import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CxpulseRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/**
 * Runs the CLI from source (`node --import tsx cli/main.ts ...`) to its end and collects
 * its output; fails if it is still running after `timeoutMs` (a hang is a failure).
 * Connection settings of the test runner's environment are not passed on.
 */
export function runCxpulse(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CxpulseRun> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("NATS_") && name !== "NATS_SERVER_BIN") delete env[name];
  delete env.CXPULSE_HTTP_PORT;
  delete env.CXPULSE_LOG_LEVEL;
  Object.assign(env, options.env);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", ...args], { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`cxpulse ${args.join(" ")} did not exit in ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}
