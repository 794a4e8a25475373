import { DEFAULT_CONFIG_PATH, loadConfig } from "../../config/loadConfig.js";
import { createLogger } from "../../connectors/log/createLogger.js";
import { compileDecisionConfig, CxError } from "../../engine/index.js";
import { EngineRuntime } from "../EngineRuntime.js";
import { useLocalNatsServer } from "../localNatsServer.js";
import { stringOption, type OptionValues } from "../options.js";

/**
 * Runs the engine until SIGTERM or SIGINT. SIGHUP (or a `cx.admin.reload` request)
 * reloads the catalog and triggers from the same file; an invalid file is refused and
 * the running configuration stays.
 */
export async function runStart(values: OptionValues): Promise<number> {
  const file = stringOption(values, "config") ?? DEFAULT_CONFIG_PATH;
  const config = loadConfig(file, process.env);
  // Rules are checked before anything starts (a local nats-server included).
  compileDecisionConfig(config.decisions, config.locate);
  const log = createLogger(config.logLevel);

  // Handled from the start: SIGHUP's default action would end the process while it
  // recovers. A reload asked for before the engine runs is done once it runs.
  let runtime: EngineRuntime | undefined;
  let reloadAsked = false;
  const reload = () => {
    if (runtime === undefined) {
      reloadAsked = true;
      return;
    }
    try {
      runtime.reload();
    } catch (error) {
      const message = error instanceof CxError ? error.message : String(error);
      log.error({ error: message }, "configuration reload refused; the running configuration stays in force");
    }
  };
  process.on("SIGHUP", reload);

  const local = config.nats.url === "" ? await useLocalNatsServer(config.nats.dataDir, log) : undefined;
  try {
    runtime = await EngineRuntime.start({ config, servers: local?.servers ?? config.nats.url, log });
  } catch (error) {
    await local?.started?.stop();
    throw error;
  }
  log.info({ metrics: `http://${config.http.host}:${runtime.httpPort}/metrics` }, "metrics and health endpoints up");
  if (reloadAsked) reload();

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info({ signal }, "stopping");
      resolve();
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  await runtime.stop();
  await local?.started?.stop();
  return 0;
}
