import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { DEFAULT_CONFIG_PATH } from "../../config/loadConfig.js";

/**
 * Writes the default configuration with some settings changed, e.g.
 * `{ "nats.url": url, "checkpoint.interval": "500ms" }`, and returns the file's path.
 */
export function writeTestConfig(dir: string, settings: Record<string, unknown>, name = "cxpulse.yaml"): string {
  const document = parseDocument(readFileSync(DEFAULT_CONFIG_PATH, "utf8"));
  for (const [path, value] of Object.entries(settings)) document.setIn(path.split("."), value);
  const file = join(dir, name);
  writeFileSync(file, document.toString());
  return file;
}
