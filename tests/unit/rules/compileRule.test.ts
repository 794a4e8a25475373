import { describe, expect, it } from "vitest";
import { compileNumber, compilePredicate, ConfigError, ConfigErrorCodes, RuleSource, type ConfigErrorCode } from "../../../engine/index.js";
import { ctx, testScope, type TestContext } from "./testScope.js";

const predicate = (text: string) => compilePredicate(new RuleSource(text), testScope().scope);
const number = (text: string) => compileNumber(new RuleSource(text), testScope().scope);
const holds = (text: string, c: TestContext = ctx()) => predicate(text).evaluate(c);
const value = (text: string, c: TestContext = ctx()) => number(text).evaluate(c);

function compileError(text: string, kind: "predicate" | "number" = "predicate", where: ConstructorParameters<typeof RuleSource>[1] = {}): ConfigError {
  const source = new RuleSource(text, where);
  try {
    if (kind === "predicate") compilePredicate(source, testScope().scope);
    else compileNumber(source, testScope().scope);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to compile`);
}

const expectError = (text: string, code: ConfigErrorCode, kind: "predicate" | "number" = "predicate") => {
  const error = compileError(text, kind);
  expect(error.code, text).toBe(code);
  return error;
};

describe("compiled rules: evaluation", () => {
  it("evaluates arithmetic with the usual precedence", () => {
    expect(value("1 + 2 * 3")).toBe(7);
    expect(value("(1 + 2) * 3")).toBe(9);
    expect(value("10 - 2 - 3")).toBe(5);
    expect(value("7 % 4 * 2")).toBe(6);
    expect(value("-2 * 3")).toBe(-6);
    expect(value("spend / age", ctx({ spend: 9, age: 3 }))).toBe(3);
    expect(value("double(age) + 1", ctx({ age: 4 }))).toBe(9);
  });

  it("evaluates not before and, and and before or", () => {
    expect(holds("true or false and false")).toBe(true);
    expect(holds("false and true or true")).toBe(true);
    expect(holds("not true and false")).toBe(false);
    expect(holds("not (true and false)")).toBe(true);
    expect(holds("not vip and active", ctx({ vip: false, active: true }))).toBe(true);
    expect(holds("not vip and active", ctx({ vip: false, active: false }))).toBe(false);
  });

  it("applies not to a whole comparison", () => {
    expect(holds("not age > 30", ctx({ age: 40 }))).toBe(false);
    expect(holds("not age > 30", ctx({ age: 20 }))).toBe(true);
  });

  it("compares numbers and strings", () => {
    const c = ctx({ age: 30, plan: "gold" });
    expect(holds("age >= 30 and age <= 30 and age > 29 and age < 31", c)).toBe(true);
    expect(holds('plan == "gold" and plan != "silver"', c)).toBe(true);
    expect(holds('plan < "h" and plan > "f"', c)).toBe(true);
  });

  it("tests membership of a constant list", () => {
    expect(holds('plan in ["gold", "silver"]', ctx({ plan: "silver" }))).toBe(true);
    expect(holds('plan in ["gold", "silver"]', ctx({ plan: "bronze" }))).toBe(false);
    expect(holds("age in [18, 21, 65]", ctx({ age: 21 }))).toBe(true);
    expect(holds("age in []", ctx({ age: 21 }))).toBe(false);
    expect(holds("not age in [1, 2]", ctx({ age: 3 }))).toBe(true);
  });

  it("tests membership of a list read at run time", () => {
    expect(holds('"b" in tags', ctx({ tags: ["a", "b"] }))).toBe(true);
    expect(holds('"c" in tags', ctx({ tags: ["a", "b"] }))).toBe(false);
  });

  it("calls scope functions", () => {
    expect(holds('isTag("x")', ctx({ tags: ["x"] }))).toBe(true);
    expect(holds('isTag("y")', ctx({ tags: ["x"] }))).toBe(false);
  });

  it("type-checks the right side of and even when the left side is a constant false", () => {
    expect(() => predicate('false and plan > 1')).toThrow(ConfigError);
  });

  it("makes every ordering comparison with NaN false", () => {
    const c = ctx({ score: Number.NaN });
    for (const rule of ["score > 5", "score < 5", "score >= 5", "score <= 5", "score == score", "score >= score"]) {
      expect(holds(rule, c), rule).toBe(false);
    }
    expect(holds("score != 5", c)).toBe(true);
  });

  it("reads a missing any-typed attribute as equal to null and unequal to everything else", () => {
    const missing = ctx({}, {});
    expect(holds("attrs.tier == null", missing)).toBe(true);
    expect(holds("attrs.tier != null", missing)).toBe(false);
    expect(holds('attrs.tier == "gold"', missing)).toBe(false);
    expect(holds("attrs.tier > 5", missing)).toBe(false);
    expect(holds("attrs.tier < 5", missing)).toBe(false);
    expect(holds("attrs.tier == null", ctx({}))).toBe(true); // no attributes at all
    expect(holds("attrs.tier == null", ctx({}, { tier: "gold" }))).toBe(false);
  });

  it("compares present any-typed attributes by value and type", () => {
    const c = ctx({ age: 30 }, { tier: "gold", level: 3, flag: true });
    expect(holds('attrs.tier == "gold"', c)).toBe(true);
    expect(holds("attrs.level > 2 and attrs.level <= age", c)).toBe(true);
    expect(holds('attrs.level > "2"', c)).toBe(false); // number vs string: false, not coerced
    expect(holds("attrs.level == 3", c)).toBe(true);
    expect(holds("attrs.flag", c)).toBe(true);
    expect(holds("attrs.tier", c)).toBe(false); // an any-typed predicate holds only for true
  });

  it("turns a non-number any-typed value into NaN in a number rule", () => {
    expect(value("attrs.level", ctx({}, { level: 4 }))).toBe(4);
    expect(value("attrs.level", ctx({}, { level: "4" }))).toBeNaN();
    expect(value("attrs.level + 1", ctx({}, {}))).toBeNaN();
  });
});

describe("compiled rules: constant folding", () => {
  it("evaluates a constant rule without any context", () => {
    const rule = compilePredicate(new RuleSource('1 + 2 * 3 == 7 and "a" in ["a", "b"] and not false'), testScope().scope);
    expect(rule.evaluate(undefined as unknown as TestContext)).toBe(true);
    expect(compileNumber(new RuleSource("(4 - 1) * -2"), testScope().scope).evaluate(undefined as unknown as TestContext)).toBe(-6);
  });

  it("hands a function an argument built only from literals as one constant, computed once at compile time", () => {
    const { scope, binds } = testScope();
    const rule = compileNumber(new RuleSource("needsConst(2 * 3 + 1) + age"), scope);
    expect(binds).toEqual([{ constant: true, value: 7 }]);
    expect(rule.evaluate(ctx({ age: 1 }))).toBe(8);
    expect(rule.evaluate(ctx({ age: 2 }))).toBe(9);
    expect(binds).toHaveLength(1);
  });

  it("does not treat an argument that reads a name as constant", () => {
    const error = compileError("needsConst(age)", "number");
    expect(error.code).toBe(ConfigErrorCodes.RuleType);
    expect(error.message).toContain("must be a constant");
    expect(error.position?.column).toBe(12);
  });

  it("reads a name once per evaluation", () => {
    const { scope, reads } = testScope();
    const rule = compilePredicate(new RuleSource("age * (2 + 3) > 10 - 1"), scope);
    expect(reads.count).toBe(0);
    rule.evaluate(ctx({ age: 2 }));
    rule.evaluate(ctx({ age: 2 }));
    expect(reads.count).toBe(2);
  });
});

describe("compiled rules: type errors", () => {
  it("refuses comparing a number with a string, at the operator", () => {
    const error = expectError('age == "30"', ConfigErrorCodes.RuleType);
    expect(error.message).toContain("compares a number with a string");
    expect(error.position?.column).toBe(5);
    expectError('age < "30"', ConfigErrorCodes.RuleType);
  });

  it("refuses and/or on numbers, pointing at the offending side", () => {
    const error = expectError("age and vip", ConfigErrorCodes.RuleType);
    expect(error.message).toContain('"and" needs true or false on its left, but this is a number');
    expect(error.position?.column).toBe(1);
    const right = expectError("vip or 1", ConfigErrorCodes.RuleType);
    expect(right.message).toContain("on its right");
    expect(right.position?.column).toBe(8);
  });

  it("refuses not on a number and minus on a string", () => {
    expect(expectError("not age", ConfigErrorCodes.RuleType).message).toContain('"not" needs true or false');
    expect(expectError('-plan', ConfigErrorCodes.RuleType, "number").message).toContain('"-" needs a number');
  });

  it("refuses arithmetic on strings and booleans", () => {
    expectError("plan + 1", ConfigErrorCodes.RuleType, "number");
    expectError("age * vip", ConfigErrorCodes.RuleType, "number");
  });

  it("refuses ordering booleans", () => {
    expect(expectError("vip > active", ConfigErrorCodes.RuleType).message).toContain("not booleans");
  });

  it("refuses in without a list on its right", () => {
    expect(expectError("age in 5", ConfigErrorCodes.RuleType).message).toContain('"in" needs a list');
  });

  it("refuses non-constant list items", () => {
    const error = expectError("age in [1, spend]", ConfigErrorCodes.RuleType);
    expect(error.message).toContain("list items must be constants");
    expect(error.position?.column).toBe(12);
  });

  it("refuses a function called with the wrong number or type of arguments", () => {
    expect(expectError("double(1, 2)", ConfigErrorCodes.RuleType, "number").message).toContain("takes 1 argument, not 2");
    expect(expectError('double("x")', ConfigErrorCodes.RuleType, "number").message).toContain("argument 1 of double() must be a number");
  });

  it("compilePredicate refuses a rule that gives a number", () => {
    const error = expectError("age + 1", ConfigErrorCodes.RuleType);
    expect(error.message).toContain("must be true or false, but it gives a number");
  });

  it("compileNumber refuses a rule that gives true or false", () => {
    const error = expectError("age > 1", ConfigErrorCodes.RuleType, "number");
    expect(error.message).toContain("must give a number, but it gives a boolean");
  });

  it("compileNumber refuses a string and compilePredicate a list", () => {
    expectError("plan", ConfigErrorCodes.RuleType, "number");
    expectError("tags", ConfigErrorCodes.RuleType);
  });
});

describe("compiled rules: unknown names", () => {
  it('suggests the nearest known name: "did you mean"', () => {
    const error = expectError("spned > 1", ConfigErrorCodes.RuleUnknownName);
    expect(error.message).toContain('unknown name "spned"; did you mean "spend"?');
  });

  it("suggests the nearest known function", () => {
    const error = expectError("dubble(age) > 1", ConfigErrorCodes.RuleUnknownName);
    expect(error.message).toContain('unknown function "dubble"; did you mean "double"?');
  });

  it("gives no hint when nothing is close", () => {
    const error = expectError("zzzzzzzz > 1", ConfigErrorCodes.RuleUnknownName);
    expect(error.message).toContain('unknown name "zzzzzzzz"');
    expect(error.message).not.toContain("did you mean");
  });

  it("names a dotted unknown name in full", () => {
    expect(expectError("event.amount > 1", ConfigErrorCodes.RuleUnknownName).message).toContain('"event.amount"');
  });
});

describe("compiled rules: error positions", () => {
  it("carries file:line:column of the error in ConfigError.position and the message", () => {
    const error = compileError("age > 1 and spned > 2", "predicate", { file: "cfg.yaml", line: 12, column: 18 });
    expect(error.position).toEqual({ file: "cfg.yaml", line: 12, column: 18 + 12 });
    expect(error.message.startsWith("cfg.yaml:12:30")).toBe(true);
  });

  it("adds the key path after the position", () => {
    const error = compileError("spned", "predicate", { file: "cfg.yaml", line: 3, column: 5, keyPath: "actions[2].eligibility" });
    expect(error.keyPath).toBe("actions[2].eligibility");
    expect(error.message.startsWith("cfg.yaml:3:5 actions[2].eligibility: unknown name")).toBe(true);
  });

  it("counts lines in multi-line text, continuation lines from column 1", () => {
    const error = compileError("age > 1\n  and spned > 2", "predicate", { file: "f.yaml", line: 7, column: 9 });
    expect(error.position).toEqual({ file: "f.yaml", line: 8, column: 7 });
  });

  it("uses the loader's offset mapper when one is given", () => {
    // A loader that knows the text was folded from "age > 1" / "and spned > 2" on lines 20 and 21.
    const text = "age > 1 and spned > 2";
    const error = compileError(text, "predicate", {
      file: "f.yaml",
      line: 20,
      column: 7,
      mapOffset: (offset) => (offset < 8 ? { line: 20, column: 7 + offset } : { line: 21, column: 7 + offset - 8 }),
    });
    expect(error.position).toEqual({ file: "f.yaml", line: 21, column: 11 });
  });
});

describe("RuleSource.positionAt", () => {
  it("defaults to <rule>:1:1", () => {
    expect(new RuleSource("abc").positionAt(2)).toEqual({ file: "<rule>", line: 1, column: 3 });
  });

  it("asks the offset mapper for every position", () => {
    const source = new RuleSource("ab cd", { line: 5, column: 10, mapOffset: (offset) => ({ line: 100 + offset, column: 3 }) });
    expect(source.positionAt(3)).toEqual({ file: "<rule>", line: 103, column: 3 });
  });
});
