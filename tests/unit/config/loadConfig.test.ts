import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG_PATH, loadConfig, parseConfig } from "../../../config/loadConfig.js";
import { parseDuration } from "../../../config/parseDuration.js";
import { compileDecisionConfig, ConfigError, ConfigErrorCodes, EVENT_TYPES } from "../../../engine/index.js";

const FILE = "/etc/cxpulse/test.yaml";

/** A config with one action (line 3 onwards); tests append lines to it. */
const BASE = `version: t
actions:
  - id: a1
    kind: offer
    channels: [web]
    value: 1
`;
const BASE_LINES = 6;

/** Parses and compiles, as start-up does; returns the error it throws. */
function configError(text: string, env: Record<string, string> = {}): ConfigError {
  try {
    const config = parseConfig(text, FILE, env);
    compileDecisionConfig(config.decisions, config.locate);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected the configuration to be refused");
}

describe("loadConfig: the default configuration", () => {
  it("loads, validates and compiles", () => {
    const config = loadConfig(DEFAULT_CONFIG_PATH);
    expect(config.version).toBe("default-2026-11");
    expect(config.engine.allowedLatenessMs).toBe(3_600_000);
    expect(config.engine.maxFutureSkewMs).toBe(300_000);
    expect(config.engine.lifecycle).toEqual({ newForMs: 30 * 86_400_000, atRiskAfterMs: 60 * 86_400_000, churnedAfterMs: 180 * 86_400_000 });
    const compiled = compileDecisionConfig(config.decisions, config.locate);
    expect(compiled.actions.length).toBe(config.decisions.actions.length);
    expect(compiled.actions.length).toBeGreaterThan(0);
    expect(compiled.triggersByType).toHaveLength(EVENT_TYPES.length);
    expect(compiled.version).toBe(config.version);
  });

  it("is frozen", () => {
    const config = loadConfig(DEFAULT_CONFIG_PATH);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.engine)).toBe(true);
    expect(Object.isFrozen(config.nats.stream)).toBe(true);
  });

  it("refuses an unreadable file with config_unreadable naming the path", () => {
    const error = (() => {
      try {
        loadConfig("/nonexistent/cxpulse.yaml");
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("expected an error");
    })();
    expect(error.code).toBe(ConfigErrorCodes.ConfigUnreadable);
    expect(error.message).toContain("/nonexistent/cxpulse.yaml");
  });
});

describe("parseConfig: defaults and versions", () => {
  it("fills every setting's default for an empty file", () => {
    const config = parseConfig("", FILE);
    expect(config.engine.maxCustomers).toBe(1_000_000);
    expect(config.engine.hotCustomers).toBe(100_000);
    expect(config.http).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(config.nats.url).toBe("");
    expect(config.nats.stream.maxAgeMs).toBe(7 * 86_400_000);
    expect(config.decisions.actions).toEqual([]);
    expect(config.logLevel).toBe("info");
  });

  it("versions a file without version by a hash of its content", () => {
    const a = parseConfig("http:\n  port: 1\n", FILE);
    const b = parseConfig("http:\n  port: 2\n", FILE);
    expect(a.version).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(a.version).not.toBe(b.version);
    expect(parseConfig("http:\n  port: 1\n", FILE).version).toBe(a.version);
  });
});

describe("parseConfig: invalid configurations", () => {
  it("refuses an unknown key with config_invalid, naming file:line:column and the key path", () => {
    const error = configError(`${BASE}engine:\n  maxCustomrs: 5\n`);
    expect(error.code).toBe(ConfigErrorCodes.ConfigInvalid);
    expect(error.position?.file).toBe(FILE);
    expect(error.position?.line).toBe(BASE_LINES + 2);
    expect(error.message).toContain(`${FILE}:${BASE_LINES + 2}:`);
    expect(error.message).toContain("engine.maxCustomrs");
    expect(error.message).toContain("unknown key");
  });

  it("refuses an unknown top-level key", () => {
    const error = configError(`${BASE}enigne: {}\n`);
    expect(error.code).toBe(ConfigErrorCodes.ConfigInvalid);
    expect(error.message).toContain("enigne");
    expect(error.position?.line).toBe(BASE_LINES + 1);
  });

  it("refuses a value of the wrong type, with its line and the value", () => {
    const error = configError(`${BASE}engine:\n  maxCustomers: lots\n`);
    expect(error.code).toBe(ConfigErrorCodes.ConfigInvalid);
    expect(error.position).toEqual({ file: FILE, line: BASE_LINES + 2, column: 17 });
    expect(error.message).toContain("engine.maxCustomers");
    expect(error.message).toContain('"lots"');
  });

  it("refuses a live-customer count below one, naming the key", () => {
    const error = configError(`${BASE}engine:\n  hotCustomers: 0\n`);
    expect(error.code).toBe(ConfigErrorCodes.ConfigInvalid);
    expect(error.message).toContain("engine.hotCustomers");
  });

  it("refuses a wrong value inside a list entry, naming its index", () => {
    const error = configError(`${BASE}  - id: a2\n    kind: gift\n    channels: [web]\n    value: 1\n`);
    expect(error.code).toBe(ConfigErrorCodes.ConfigInvalid);
    expect(error.message).toContain("actions[1].kind");
    expect(error.position?.line).toBe(BASE_LINES + 2);
  });

  it("refuses duplicate keys as config_syntax with the line of the repeat", () => {
    const error = configError(`${BASE}engine:\n  maxCustomers: 5\n  maxCustomers: 6\n`);
    expect(error.code).toBe(ConfigErrorCodes.ConfigSyntax);
    expect(error.position?.line).toBe(BASE_LINES + 3);
    expect(error.message).toContain(`${FILE}:${BASE_LINES + 3}:`);
  });

  it("refuses YAML syntax errors as config_syntax with a line", () => {
    const error = configError(`${BASE}engine: [\n`);
    expect(error.code).toBe(ConfigErrorCodes.ConfigSyntax);
    expect(error.position?.file).toBe(FILE);
    expect(error.position?.line).toBeGreaterThan(BASE_LINES);
    expect(error.message).toContain("YAML");
  });

  it("refuses a trigger that names an unknown action as unknown_reference at the action's line", () => {
    const error = configError(`${BASE}triggers:\n  - id: t1\n    on: [purchase]\n    action: nope\n    channel: web\n`);
    expect(error.code).toBe(ConfigErrorCodes.UnknownReference);
    expect(error.keyPath).toBe("triggers[0].action");
    expect(error.position).toMatchObject({ file: FILE, line: BASE_LINES + 4, column: 13 });
    expect(error.message).toContain('"nope"');
  });

  it("refuses a trigger whose channel its action is not offered on", () => {
    const error = configError(`${BASE}triggers:\n  - id: t1\n    on: [purchase]\n    action: a1\n    channel: sms\n`);
    expect(error.code).toBe(ConfigErrorCodes.UnknownReference);
    expect(error.keyPath).toBe("triggers[0].channel");
    expect(error.position?.line).toBe(BASE_LINES + 5);
    expect(error.message).toContain("only offered on web");
  });

  it("refuses an action id used twice", () => {
    const error = configError(`${BASE}  - id: a1\n    kind: offer\n    channels: [app]\n    value: 2\n`);
    expect(error.code).toBe(ConfigErrorCodes.UnknownReference);
    expect(error.keyPath).toBe("actions[1].id");
  });
});

describe("parseConfig: rule errors point at the YAML line and column", () => {
  // In BASE the eligibility key goes on line 7; "    eligibility: " is 17 characters.
  const LINE = BASE_LINES + 1;
  const ruleError = (yaml: string) => {
    const error = configError(BASE + yaml);
    expect(error.code).toBe(ConfigErrorCodes.RuleUnknownName);
    expect(error.keyPath).toBe("actions[0].eligibility");
    return error;
  };

  it("in a plain scalar", () => {
    const error = ruleError("    eligibility: openComplaints > 0 and bogus > 1\n");
    expect(error.position).toEqual({ file: FILE, line: LINE, column: 18 + 23 });
    expect(error.message.startsWith(`${FILE}:${LINE}:41 actions[0].eligibility: unknown name "bogus"`)).toBe(true);
  });

  it("in a double-quoted scalar (after the quote)", () => {
    expect(ruleError('    eligibility: "openComplaints > 0 and bogus > 1"\n').position).toEqual({ file: FILE, line: LINE, column: 19 + 23 });
  });

  it("in a single-quoted scalar", () => {
    expect(ruleError("    eligibility: 'openComplaints > 0 and bogus > 1'\n").position).toEqual({ file: FILE, line: LINE, column: 19 + 23 });
  });

  it("in a double-quoted scalar with escaped quotes before the error", () => {
    // "    eligibility: " then `"plan == \"x\" and ` puts bogus at column 18 + 19 = 37.
    expect(ruleError('    eligibility: "plan == \\"x\\" and bogus > 1"\n').position).toEqual({ file: FILE, line: LINE, column: 37 });
  });

  it("in a block literal (|), on its own line and column", () => {
    const error = ruleError("    eligibility: |\n      openComplaints > 0\n        and bogus > 1\n");
    expect(error.position).toEqual({ file: FILE, line: LINE + 2, column: 13 });
  });

  it("in a folded block (>-), on the source line the folded text came from", () => {
    const error = ruleError("    eligibility: >-\n      openComplaints > 0\n      and bogus > 1\n");
    expect(error.position).toEqual({ file: FILE, line: LINE + 2, column: 11 });
  });

  it("in a folded block, on the first line", () => {
    const error = ruleError("    eligibility: >-\n      bogus > 0\n      and openComplaints > 1\n");
    expect(error.position).toEqual({ file: FILE, line: LINE + 1, column: 7 });
  });

  it("in a plain scalar continued on the next line", () => {
    const error = ruleError("    eligibility: openComplaints > 0\n      and bogus > 1\n");
    expect(error.position).toEqual({ file: FILE, line: LINE + 1, column: 11 });
  });

  it("in a trigger's when rule, with a did-you-mean hint", () => {
    const error = configError(`${BASE}triggers:\n  - id: t1\n    on: [purchase]\n    when: event.amont > 5\n    action: a1\n    channel: web\n`);
    expect(error.code).toBe(ConfigErrorCodes.RuleUnknownName);
    expect(error.position).toEqual({ file: FILE, line: BASE_LINES + 4, column: 11 });
    expect(error.message).toContain('did you mean "event.amount"?');
  });

  it("refuses event names in an eligibility rule and channel in a trigger rule", () => {
    expect(configError(`${BASE}    eligibility: event.amount > 5\n`).code).toBe(ConfigErrorCodes.RuleUnknownName);
    const trigger = `${BASE}triggers:\n  - id: t1\n    on: [login]\n    when: channel == "web"\n    action: a1\n    channel: web\n`;
    expect(configError(trigger).code).toBe(ConfigErrorCodes.RuleUnknownName);
  });
});

describe("parseConfig: environment overrides", () => {
  const WITH_CONNECTIONS = `${BASE}nats:\n  url: nats://from-file:4222\nhttp:\n  port: 1234\n`;

  it("lets NATS_URL and CXPULSE_HTTP_PORT win over the file", () => {
    const config = parseConfig(WITH_CONNECTIONS, FILE, { NATS_URL: "nats://from-env:4222", CXPULSE_HTTP_PORT: "8080" });
    expect(config.nats.url).toBe("nats://from-env:4222");
    expect(config.http.port).toBe(8080);
  });

  it("keeps the file's values when the variables are unset or empty", () => {
    const config = parseConfig(WITH_CONNECTIONS, FILE, { NATS_URL: "", CXPULSE_HTTP_PORT: undefined });
    expect(config.nats.url).toBe("nats://from-file:4222");
    expect(config.http.port).toBe(1234);
  });

  it("applies overrides to sections the file does not have", () => {
    const config = parseConfig(BASE, FILE, { NATS_URL: "nats://env:1", NATS_USER: "u", CXPULSE_LOG_LEVEL: "debug" });
    expect(config.nats.url).toBe("nats://env:1");
    expect(config.nats.user).toBe("u");
    expect(config.logLevel).toBe("debug");
  });

  it("refuses a non-numeric CXPULSE_HTTP_PORT as config_invalid naming http.port", () => {
    const error = configError(WITH_CONNECTIONS, { CXPULSE_HTTP_PORT: "eighty" });
    expect(error.code).toBe(ConfigErrorCodes.ConfigInvalid);
    expect(error.message).toContain("http.port");
  });
});

describe("durations", () => {
  it("parses 500ms, 30s, 5m, 1h, 7d, decimals and plain milliseconds", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration(0)).toBe(0);
  });

  it("refuses durations without a unit, with an unknown unit, negative or not finite", () => {
    for (const bad of ["1 hour", "10", "5w", "-1h", "h", "", "1h30m"]) expect(parseDuration(bad), bad).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(Number.NaN)).toBeUndefined();
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it("turns configured durations into milliseconds", () => {
    const config = parseConfig(`engine:\n  allowedLateness: 90s\n  maxFutureSkew: 2500\n  lifecycle:\n    newFor: 1d\n`, FILE);
    expect(config.engine.allowedLatenessMs).toBe(90_000);
    expect(config.engine.maxFutureSkewMs).toBe(2500);
    expect(config.engine.lifecycle.newForMs).toBe(86_400_000);
  });

  it("refuses an invalid configured duration as config_invalid at its line", () => {
    for (const bad of ['"1 hour"', "-5", "1.5", "fast"]) {
      const error = configError(`engine:\n  allowedLateness: ${bad}\n`);
      expect(error.code, bad).toBe(ConfigErrorCodes.ConfigInvalid);
      expect(error.position?.line, bad).toBe(2);
      expect(error.message, bad).toContain("engine.allowedLateness");
    }
  });
});

describe("loadConfig: business-metric windows", () => {
  it("reads windows as whole days and the snapshot interval in milliseconds", () => {
    const config = parseConfig(`metrics:\n  windows: [1d, 28d, 400d]\n  publishInterval: 0\n`, FILE);
    expect(config.engine.businessWindowDays).toEqual([1, 28, 400]);
    expect(config.metrics.publishIntervalMs).toBe(0);
    expect(loadConfig(DEFAULT_CONFIG_PATH).engine.businessWindowDays).toEqual([7, 30, 90, 365]);
  });

  it("refuses a window that is not whole days, naming its index and line", () => {
    const error = configError(`metrics:\n  windows:\n    - 7d\n    - 12h\n`);
    expect(error.code).toBe(ConfigErrorCodes.ConfigInvalid);
    expect(error.message).toContain("metrics.windows[1]");
    expect(error.position?.line).toBe(4);
  });

  it("refuses a window longer than ten years at its line", () => {
    const error = configError(`metrics:\n  windows:\n    - 7d\n    - 4000d\n`);
    expect(error.code).toBe(ConfigErrorCodes.ConfigInvalid);
    expect(error.message).toContain("a business-metric window is at most 3650d, got 4000d");
    expect(error.position?.line).toBe(4);
  });

  it("takes the purchase inactivity period in whole days and refuses part of a day at its line", () => {
    expect(parseConfig("metrics:\n  purchaseInactivity: 60d\n", "t.yaml").engine.purchaseInactivityMs).toBe(60 * 86_400_000);
    const error = configError(`metrics:\n  windows: [7d]\n  purchaseInactivity: 36h\n`);
    expect(error.code).toBe(ConfigErrorCodes.ConfigInvalid);
    expect(error.message).toContain("the purchase inactivity period is 1 to 3650 whole days, got 36h");
    expect(error.message).toContain("metrics.purchaseInactivity");
    expect(error.position?.line).toBe(3);
  });

  it("refuses a discount rate of 0 for lifetime value, which would value a loyal base at infinity", () => {
    const error = configError(`metrics:\n  annualDiscountRate: 0\n`);
    expect(error.message).toContain("metrics.annualDiscountRate");
    expect(error.position?.line).toBe(2);
  });
});

describe("loadConfig: segment profiles", () => {
  it("reads the refresh interval in milliseconds and the batch, with defaults of 60s and 2,000", () => {
    expect(parseConfig("", FILE).segmentProfiles).toEqual({ refreshIntervalMs: 60_000, batchCustomers: 2_000 });
    expect(parseConfig(`segmentProfiles:\n  refresh: 5m\n  batch: 500\n`, FILE).segmentProfiles).toEqual({ refreshIntervalMs: 300_000, batchCustomers: 500 });
    expect(parseConfig(`segmentProfiles:\n  refresh: 0\n`, FILE).segmentProfiles.refreshIntervalMs).toBe(0);
  });

  it("refuses a refresh under a second and a batch under 100, at their lines", () => {
    const refresh = configError(`segmentProfiles:\n  refresh: 200ms\n`);
    expect(refresh.code).toBe(ConfigErrorCodes.ConfigInvalid);
    expect(refresh.message).toMatch(/segmentProfiles\.refresh.*at most once a second/);
    expect(refresh.position?.line).toBe(2);
    const batch = configError(`segmentProfiles:\n  batch: 10\n`);
    expect(batch.message).toContain("segmentProfiles.batch");
    expect(batch.position?.line).toBe(2);
  });
});
