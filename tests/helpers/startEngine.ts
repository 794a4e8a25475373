import { EngineRuntime } from "../../cli/EngineRuntime.js";
import { loadConfig, type CxConfig } from "../../config/loadConfig.js";
import { createLogger } from "../../connectors/log/createLogger.js";

/** The engine in this process against a test server: default configuration, silent log, free HTTP port. */
export async function startEngine(url: string, config: CxConfig = loadConfig()): Promise<EngineRuntime> {
  return EngineRuntime.start({ config, servers: url, log: createLogger("silent"), httpPort: 0 });
}
