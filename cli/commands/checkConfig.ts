import { DEFAULT_CONFIG_PATH, loadConfig } from "../../config/loadConfig.js";
import { compileDecisionConfig } from "../../engine/index.js";
import { stringOption, type OptionValues } from "../options.js";

/** Validates a configuration and compiles its rules, as `start` would, without running anything. */
export async function runCheckConfig(values: OptionValues): Promise<number> {
  const config = loadConfig(stringOption(values, "config") ?? DEFAULT_CONFIG_PATH, process.env);
  const decisions = compileDecisionConfig(config.decisions, config.locate);
  const bindings = (lists: readonly (readonly unknown[])[]) => lists.reduce((sum, list) => sum + list.length, 0);
  const onEntry = bindings(decisions.triggersOnEntry);
  process.stdout.write(
    `${config.file}: valid (version ${config.version}; ${decisions.actions.length} actions, ${config.decisions.triggers.length} triggers on ${bindings(decisions.triggersByType)} event-type bindings${onEntry === 0 ? "" : ` and ${onEntry} segment entries`})\n`,
  );
  return 0;
}
