import { describe, expect, it } from "vitest";
import { ConfigError, ConfigErrorCodes, RuleSource } from "../../../engine/index.js";
import { tokenize, type Token } from "../../../engine/rules/lexer.js";

const lex = (text: string) => tokenize(new RuleSource(text)).map((t: Token) => [t.kind, t.text]);

function lexError(text: string, where: ConstructorParameters<typeof RuleSource>[1] = {}): ConfigError {
  try {
    tokenize(new RuleSource(text, where));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to tokenize`);
}

describe("tokenize", () => {
  it("splits names, keywords, numbers, operators and punctuation, ending with an end token", () => {
    expect(lex('a.b >= 1.5 and not x in ["p", 2]')).toEqual([
      ["name", "a"],
      ["punctuation", "."],
      ["name", "b"],
      ["operator", ">="],
      ["number", "1.5"],
      ["keyword", "and"],
      ["keyword", "not"],
      ["name", "x"],
      ["keyword", "in"],
      ["punctuation", "["],
      ["string", "p"],
      ["punctuation", ","],
      ["number", "2"],
      ["punctuation", "]"],
      ["end", ""],
    ]);
  });

  it("records each token's offset in the text", () => {
    expect(tokenize(new RuleSource("ab  <= 10")).map((t) => t.offset)).toEqual([0, 4, 7, 9]);
  });

  it("reads two-character operators before their one-character prefixes", () => {
    expect(lex("a<=b>=c!=d==e<f>g").filter(([kind]) => kind === "operator").map(([, text]) => text)).toEqual([
      "<=",
      ">=",
      "!=",
      "==",
      "<",
      ">",
    ]);
  });

  it("reads decimals, leading-dot decimals and exponents as one number", () => {
    expect(lex("12 0.25 .5 1e3 2.5E-2 7e+1")).toEqual([
      ["number", "12"],
      ["number", "0.25"],
      ["number", ".5"],
      ["number", "1e3"],
      ["number", "2.5E-2"],
      ["number", "7e+1"],
      ["end", ""],
    ]);
  });

  it("unescapes \\n, \\t, \\\\ and both quotes inside strings", () => {
    expect(lex(String.raw`"a\"b" 'it\'s' "tab\there" "line\nnext" "back\\slash" 'mixed "q"'`).map(([, t]) => t)).toEqual([
      'a"b',
      "it's",
      "tab\there",
      "line\nnext",
      "back\\slash",
      'mixed "q"',
      "",
    ]);
  });

  it("treats true, false, null, and, or, not, in as keywords but not names that contain them", () => {
    expect(lex("true android notes inside")).toEqual([
      ["keyword", "true"],
      ["name", "android"],
      ["name", "notes"],
      ["name", "inside"],
      ["end", ""],
    ]);
  });

  it("refuses an unknown escape, pointing at the backslash", () => {
    const error = lexError(String.raw`x == "a\qb"`);
    expect(error.code).toBe(ConfigErrorCodes.RuleSyntax);
    expect(error.position?.column).toBe(8);
    expect(error.message).toContain("unknown escape");
  });

  it("refuses an unclosed string, pointing at its opening quote", () => {
    const error = lexError('plan == "gold', { file: "c.yaml", line: 4, column: 20 });
    expect(error.code).toBe(ConfigErrorCodes.RuleSyntax);
    expect(error.position).toEqual({ file: "c.yaml", line: 4, column: 28 });
    expect(error.message).toMatch(/^c\.yaml:4:28: this string is never closed/);
  });

  it("refuses a string that runs into a new line", () => {
    expect(lexError('"abc\ndef"').message).toContain("never closed");
  });

  it("refuses a number that runs into a name", () => {
    const error = lexError("3days > 1");
    expect(error.code).toBe(ConfigErrorCodes.RuleSyntax);
    expect(error.position?.column).toBe(2);
  });

  it("names the word to use instead of &&, ||, ! and =", () => {
    expect(lexError("a && b").message).toContain('write "and"');
    expect(lexError("a || b").message).toContain('write "or"');
    expect(lexError("!a").message).toContain('write "not"');
    const equals = lexError("plan = 1");
    expect(equals.message).toContain('write "=="');
    expect(equals.position?.column).toBe(6);
  });

  it("refuses a character the language does not use", () => {
    const error = lexError("a # b");
    expect(error.message).toContain('unexpected character "#"');
    expect(error.position?.column).toBe(3);
  });
});
