import { describe, expect, it } from "vitest";
import { ConfigError, ConfigErrorCodes, RuleSource } from "../../../engine/index.js";
import { parse, type Expression } from "../../../engine/rules/parser.js";

/** The tree as a fully parenthesised string, so precedence is visible. */
function show(node: Expression): string {
  switch (node.kind) {
    case "literal":
      return typeof node.value === "string" ? JSON.stringify(node.value) : String(node.value);
    case "name":
      return node.path.join(".");
    case "call":
      return `${node.name}(${node.args.map(show).join(", ")})`;
    case "list":
      return `[${node.items.map(show).join(", ")}]`;
    case "not":
      return `(not ${show(node.operand)})`;
    case "negate":
      return `(-${show(node.operand)})`;
    case "binary":
      return `(${show(node.left)} ${node.op} ${show(node.right)})`;
  }
}

const tree = (text: string) => show(parse(new RuleSource(text)));

function parseError(text: string, where: ConstructorParameters<typeof RuleSource>[1] = {}): ConfigError {
  try {
    parse(new RuleSource(text, where));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe(ConfigErrorCodes.RuleSyntax);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to parse`);
}

describe("parse: precedence", () => {
  it("binds and tighter than or", () => {
    expect(tree("a or b and c")).toBe("(a or (b and c))");
    expect(tree("a and b or c")).toBe("((a and b) or c)");
  });

  it("binds not tighter than and, but looser than comparisons", () => {
    expect(tree("not a and b")).toBe("((not a) and b)");
    expect(tree("not a == 1")).toBe("(not (a == 1))");
    expect(tree("not not a")).toBe("(not (not a))");
  });

  it("binds comparisons looser than arithmetic", () => {
    expect(tree("a + 1 > b * 2")).toBe("((a + 1) > (b * 2))");
  });

  it("binds * / % tighter than + -, both left-associative", () => {
    expect(tree("1 + 2 * 3")).toBe("(1 + (2 * 3))");
    expect(tree("10 - 2 - 3")).toBe("((10 - 2) - 3)");
    expect(tree("8 / 4 / 2")).toBe("((8 / 4) / 2)");
    expect(tree("a % 3 * 2")).toBe("((a % 3) * 2)");
  });

  it("binds unary minus tightest", () => {
    expect(tree("-a * b")).toBe("((-a) * b)");
    expect(tree("- - 1")).toBe("(-(-1))");
    expect(tree("a - -1")).toBe("(a - (-1))");
  });

  it("lets parentheses override precedence", () => {
    expect(tree("(1 + 2) * 3")).toBe("((1 + 2) * 3)");
    expect(tree("a and (b or c)")).toBe("(a and (b or c))");
  });

  it("parses in with a constant list as a comparison", () => {
    expect(tree('status in ["at-risk", "churned"] and x')).toBe('((status in ["at-risk", "churned"]) and x)');
    expect(tree("x in []")).toBe("(x in [])");
  });

  it("parses dotted names, keyword field names, calls and literals", () => {
    expect(tree("event.amount")).toBe("event.amount");
    expect(tree("event.in")).toBe("event.in");
    expect(tree('f() or g(1, "a", h(x))')).toBe('(f() or g(1, "a", h(x)))');
    expect(tree("true and null == false")).toBe("(true and (null == false))");
  });
});

describe("parse: errors", () => {
  it("refuses chained comparisons, pointing at the second operator", () => {
    const error = parseError("1 < x < 3");
    expect(error.message).toContain("do not chain");
    expect(error.position?.column).toBe(7);
    expect(parseError("a == b == c").message).toContain("do not chain");
    expect(parseError("a in [1] == true").message).toContain("do not chain");
  });

  it("refuses an empty expression", () => {
    expect(parseError("   ").message).toContain("empty");
  });

  it("refuses an expression that ends too early", () => {
    const error = parseError("a and", { file: "x.yaml", line: 2, column: 5 });
    expect(error.message).toContain("ends too early");
    expect(error.position).toEqual({ file: "x.yaml", line: 2, column: 10 });
  });

  it("refuses tokens after a complete expression", () => {
    const error = parseError("a b");
    expect(error.message).toContain('unexpected "b"');
    expect(error.position?.column).toBe(3);
  });

  it("names the opening parenthesis an unclosed one belongs to", () => {
    const error = parseError("(a and b", { column: 10 });
    expect(error.message).toContain('expected ")"');
    expect(error.message).toContain("opened at column 10");
    expect(error.message).toContain("found the end");
  });

  it("refuses an unclosed list and a missing call parenthesis", () => {
    expect(parseError("x in [1, 2").message).toContain('expected "]"');
    expect(parseError("f(1, 2").message).toContain('expected ")"');
  });

  it("refuses a keyword where a value must start", () => {
    expect(parseError("a == and").message).toContain('"and" cannot start a value');
  });

  it("refuses a dot not followed by a field name", () => {
    expect(parseError("event.").message).toContain("field name");
    expect(parseError("event.(a)").message).toContain("field name");
  });

  it("includes the offending line with a caret under the error", () => {
    const error = parseError("a and or b");
    expect(error.message).toContain("a and or b\n          ^");
  });
});
