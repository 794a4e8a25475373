import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG_PATH, loadConfig, parseConfig } from "../../../config/loadConfig.js";
import { ConfigError, ConfigErrorCodes } from "../../../engine/index.js";

const FILE = "/etc/cxpulse/import.yaml";

function configError(text: string): ConfigError {
  try {
    parseConfig(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected the configuration to be refused");
}

describe("the import section of the configuration", () => {
  it("defaults to no mapping and a comma, in the default file and in an empty one", () => {
    const expected = { delimiter: ",", columns: {}, constants: {} };
    expect(loadConfig(DEFAULT_CONFIG_PATH).import).toEqual(expected);
    expect(parseConfig("", FILE).import).toEqual(expected);
  });

  it("maps event fields to columns and constants, nested fields flattened to paths, frozen", () => {
    const config = parseConfig(
      `import:
  delimiter: ";"
  columns:
    customerId: customer_no
    ts: purchased_at
    attrs: { store: store_id }
    consents: { email: optin }
  constants:
    type: purchase
    channel: pos
    attrs: { source: legacy }
`,
      FILE,
    );
    expect(config.import).toEqual({
      delimiter: ";",
      columns: { customerId: "customer_no", ts: "purchased_at", "attrs.store": "store_id", "consents.email": "optin" },
      constants: { type: "purchase", channel: "pos", "attrs.source": "legacy" },
    });
    expect(Object.isFrozen(config.import)).toBe(true);
    expect(Object.isFrozen(config.import.columns)).toBe(true);
  });

  it("refuses a field the event contract does not have as an unknown key at its line and column", () => {
    const error = configError("version: t\nimport:\n  columns:\n    customerId: c\n    amout: total\n");
    expect(error.code).toBe(ConfigErrorCodes.ConfigInvalid);
    expect(error.position).toEqual({ file: FILE, line: 5, column: 5 });
    expect(error.keyPath).toBe("import.columns.amout");
    expect(error.message).toContain("unknown key");
  });

  it("refuses nested keys the contract does not allow", () => {
    expect(configError("import:\n  columns:\n    consents:\n      fax: f\n").keyPath).toBe("import.columns.consents.fax");
    expect(configError("import:\n  constants:\n    attrs:\n      9lives: x\n").keyPath).toBe("import.constants.attrs.9lives");
  });

  it("refuses a field given both a column and a constant, at the constant", () => {
    const error = configError("import:\n  columns:\n    amount: total\n  constants:\n    type: purchase\n    amount: 5\n");
    expect(error.code).toBe(ConfigErrorCodes.ConfigInvalid);
    expect(error.keyPath).toBe("import.constants.amount");
    expect(error.position?.line).toBe(6);
    expect(error.message).toContain("import.columns.amount");
  });

  it("refuses a column that is not a name", () => {
    const error = configError("import:\n  columns:\n    amount: 5\n");
    expect(error.keyPath).toBe("import.columns.amount");
    expect(error.position?.line).toBe(3);
  });
});
