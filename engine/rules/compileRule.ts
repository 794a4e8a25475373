import { ConfigErrorCodes } from "../errors.js";
import { parse, type BinaryOperator, type Expression } from "./parser.js";
import type { CompiledArgument, Reader, RuleScope, ValueType } from "./RuleScope.js";
import type { RuleSource } from "./RuleSource.js";

/** A rule turned into a closure: parsed and type-checked once, evaluated per event. */
export interface CompiledRule<C, T> {
  readonly source: string;
  readonly evaluate: (ctx: C) => T;
}

interface Compiled<C> extends CompiledArgument<C> {
  readonly offset: number;
}

/** Compiles a rule that must be true or false (triggers, eligibility, segments). */
export function compilePredicate<C>(source: RuleSource, scope: RuleScope<C>): CompiledRule<C, boolean> {
  const compiled = new Compiler(source, scope).compile(parse(source));
  if (compiled.type !== "boolean" && compiled.type !== "any") {
    throw source.error(ConfigErrorCodes.RuleType, 0, `this rule must be true or false, but it gives a ${compiled.type}`);
  }
  const read = compiled.read;
  return { source: source.text, evaluate: compiled.type === "boolean" ? (read as (ctx: C) => boolean) : (ctx) => read(ctx) === true };
}

/** Compiles a rule that gives a number (values, scores, weights). */
export function compileNumber<C>(source: RuleSource, scope: RuleScope<C>): CompiledRule<C, number> {
  const compiled = new Compiler(source, scope).compile(parse(source));
  if (compiled.type !== "number" && compiled.type !== "any") {
    throw source.error(ConfigErrorCodes.RuleType, 0, `this rule must give a number, but it gives a ${compiled.type}`);
  }
  const read = compiled.read;
  return { source: source.text, evaluate: compiled.type === "number" ? (read as (ctx: C) => number) : (ctx) => toNumber(read(ctx)) };
}

const ORDERING: ReadonlySet<BinaryOperator> = new Set(["<", "<=", ">", ">="]);
const ARITHMETIC: ReadonlySet<BinaryOperator> = new Set(["+", "-", "*", "/", "%"]);

class Compiler<C> {
  readonly #source: RuleSource;
  readonly #scope: RuleScope<C>;

  constructor(source: RuleSource, scope: RuleScope<C>) {
    this.#source = source;
    this.#scope = scope;
  }

  compile(node: Expression): Compiled<C> {
    const compiled = this.#compileNode(node);
    return compiled.constant ? constant(compiled.type, compiled.read(undefined as C), node.offset) : compiled;
  }

  #compileNode(node: Expression): Compiled<C> {
    switch (node.kind) {
      case "literal":
        return constant(node.value === null ? "any" : (typeof node.value as ValueType), node.value, node.offset);
      case "name":
        return this.#name(node.path, node.offset);
      case "call":
        return this.#call(node.name, node.args, node.offset);
      case "list":
        return this.#list(node.items, node.offset);
      case "not": {
        const operand = this.#expect(this.compile(node.operand), "boolean", `"not" needs true or false`);
        const read = operand.read;
        return this.#fold({ type: "boolean", read: (ctx) => read(ctx) !== true, constant: operand.constant, offset: node.offset });
      }
      case "negate": {
        const operand = this.#expect(this.compile(node.operand), "number", `"-" needs a number`);
        const read = operand.read;
        return this.#fold({ type: "number", read: (ctx) => -toNumber(read(ctx)), constant: operand.constant, offset: node.offset });
      }
      case "binary":
        return this.#fold(this.#binary(node.op, this.compile(node.left), this.compile(node.right), node.offset));
    }
  }

  #name(path: readonly string[], offset: number): Compiled<C> {
    const binding = this.#scope.name(path);
    if (binding === undefined) {
      const name = path.join(".");
      const hint = closest(name, this.#scope.knownNames());
      throw this.#source.error(
        ConfigErrorCodes.RuleUnknownName,
        offset,
        `unknown name "${name}"${hint === undefined ? "" : `; did you mean "${hint}"?`}`,
      );
    }
    return { type: binding.type, read: binding.read, constant: false, offset };
  }

  #call(name: string, argNodes: readonly Expression[], offset: number): Compiled<C> {
    const fn = this.#scope.fn(name);
    if (fn === undefined) {
      const hint = closest(name, this.#scope.knownNames());
      throw this.#source.error(
        ConfigErrorCodes.RuleUnknownName,
        offset,
        `unknown function "${name}"${hint === undefined ? "" : `; did you mean "${hint}"?`}`,
      );
    }
    if (argNodes.length !== fn.params.length) {
      throw this.#source.error(
        ConfigErrorCodes.RuleType,
        offset,
        `${name}() takes ${fn.params.length} argument${fn.params.length === 1 ? "" : "s"}, not ${argNodes.length}`,
      );
    }
    const args = argNodes.map((arg, i) =>
      this.#expect(this.compile(arg), fn.params[i]!, `argument ${i + 1} of ${name}() must be a ${fn.params[i]}`),
    );
    const bound = fn.bind(args);
    if (typeof bound !== "function") {
      throw this.#source.error(ConfigErrorCodes.RuleType, args[bound.arg]?.offset ?? offset, bound.error);
    }
    return { type: fn.returns, read: bound, constant: false, offset };
  }

  #list(itemNodes: readonly Expression[], offset: number): Compiled<C> {
    const items = itemNodes.map((item) => this.compile(item));
    const nonConstant = items.find((item) => !item.constant);
    if (nonConstant !== undefined) {
      throw this.#source.error(ConfigErrorCodes.RuleType, nonConstant.offset, "list items must be constants");
    }
    const values = items.map((item) => item.read(undefined as C));
    return { type: "list", read: () => values, constant: true, offset };
  }

  #binary(op: BinaryOperator, left: Compiled<C>, right: Compiled<C>, offset: number): Compiled<C> {
    const l = left.read;
    const r = right.read;
    const isConstant = left.constant && right.constant;
    if (op === "and" || op === "or") {
      this.#expect(left, "boolean", `"${op}" needs true or false on its left`);
      this.#expect(right, "boolean", `"${op}" needs true or false on its right`);
      const read: Reader<C> =
        op === "and" ? (ctx) => l(ctx) === true && r(ctx) === true : (ctx) => l(ctx) === true || r(ctx) === true;
      return { type: "boolean", read, constant: isConstant, offset };
    }
    if (op === "in") return this.#membership(left, right, offset);
    if (op === "==" || op === "!=") {
      this.#sameType(left, right, offset, op);
      const equal = left.type === "any" || right.type === "any" ? looseEqual : strictEqual;
      const read: Reader<C> = op === "==" ? (ctx) => equal(l(ctx), r(ctx)) : (ctx) => !equal(l(ctx), r(ctx));
      return { type: "boolean", read, constant: isConstant, offset };
    }
    if (ORDERING.has(op)) {
      this.#sameType(left, right, offset, op);
      if (left.type === "boolean" || left.type === "list") {
        throw this.#source.error(ConfigErrorCodes.RuleType, offset, `"${op}" compares numbers or strings, not ${left.type}s`);
      }
      const typed = left.type === right.type && left.type !== "any";
      return { type: "boolean", read: ordering(op, l, r, typed), constant: isConstant, offset };
    }
    if (ARITHMETIC.has(op)) {
      this.#expect(left, "number", `"${op}" needs a number on its left`);
      this.#expect(right, "number", `"${op}" needs a number on its right`);
      return { type: "number", read: arithmetic(op, l, r), constant: isConstant, offset };
    }
    throw this.#source.error(ConfigErrorCodes.RuleSyntax, offset, `unknown operator "${op}"`);
  }

  #membership(left: Compiled<C>, right: Compiled<C>, offset: number): Compiled<C> {
    if (right.type !== "list" && right.type !== "any") {
      throw this.#source.error(ConfigErrorCodes.RuleType, right.offset, `"in" needs a list on its right, like ["a", "b"]`);
    }
    const l = left.read;
    if (right.constant) {
      // Constant lists become a Set once, so membership is one hash lookup per evaluation.
      const members = new Set(right.read(undefined as C) as unknown[]);
      return { type: "boolean", read: (ctx) => members.has(l(ctx)), constant: left.constant, offset };
    }
    const r = right.read;
    return {
      type: "boolean",
      read: (ctx) => {
        const list = r(ctx);
        return Array.isArray(list) && list.includes(l(ctx));
      },
      constant: false,
      offset,
    };
  }

  #sameType(left: Compiled<C>, right: Compiled<C>, offset: number, op: string): void {
    if (left.type === "any" || right.type === "any" || left.type === right.type) return;
    throw this.#source.error(ConfigErrorCodes.RuleType, offset, `"${op}" compares a ${left.type} with a ${right.type}`);
  }

  #expect(compiled: Compiled<C>, type: ValueType, message: string): Compiled<C> {
    if (compiled.type === type || compiled.type === "any" || type === "any") return compiled;
    throw this.#source.error(ConfigErrorCodes.RuleType, compiled.offset, `${message}, but this is a ${compiled.type}`);
  }

  /** Constant subexpressions are computed once, here, instead of on every evaluation. */
  #fold(compiled: Compiled<C>): Compiled<C> {
    return compiled.constant ? constant(compiled.type, compiled.read(undefined as C), compiled.offset) : compiled;
  }
}

function constant<C>(type: ValueType, value: unknown, offset: number): Compiled<C> {
  return { type, read: () => value, constant: true, offset };
}

function toNumber(value: unknown): number {
  return typeof value === "number" ? value : Number.NaN;
}

function strictEqual(a: unknown, b: unknown): boolean {
  return a === b;
}

/** Free attributes may be missing: a missing value equals null. */
function looseEqual(a: unknown, b: unknown): boolean {
  return a === b || ((a === null || a === undefined) && (b === null || b === undefined));
}

/**
 * Builds an ordering comparison. When both sides are statically numbers (or both
 * strings) the plain operator is right, NaN included; otherwise mixed or missing
 * operands compare false.
 */
function ordering<C>(op: BinaryOperator, l: Reader<C>, r: Reader<C>, typed: boolean): Reader<C> {
  const compare = COMPARATORS[op as "<" | "<=" | ">" | ">="];
  if (typed) {
    switch (op) {
      case "<":
        return (ctx) => (l(ctx) as number) < (r(ctx) as number);
      case "<=":
        return (ctx) => (l(ctx) as number) <= (r(ctx) as number);
      case ">":
        return (ctx) => (l(ctx) as number) > (r(ctx) as number);
      default:
        return (ctx) => (l(ctx) as number) >= (r(ctx) as number);
    }
  }
  return (ctx) => {
    const a = l(ctx);
    const b = r(ctx);
    return ((typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string")) && compare(a, b);
  };
}

const COMPARATORS = {
  "<": (a: number | string, b: number | string) => a < b,
  "<=": (a: number | string, b: number | string) => a <= b,
  ">": (a: number | string, b: number | string) => a > b,
  ">=": (a: number | string, b: number | string) => a >= b,
} as const;

function arithmetic<C>(op: BinaryOperator, l: Reader<C>, r: Reader<C>): Reader<C> {
  switch (op) {
    case "+":
      return (ctx) => toNumber(l(ctx)) + toNumber(r(ctx));
    case "-":
      return (ctx) => toNumber(l(ctx)) - toNumber(r(ctx));
    case "*":
      return (ctx) => toNumber(l(ctx)) * toNumber(r(ctx));
    case "/":
      return (ctx) => toNumber(l(ctx)) / toNumber(r(ctx));
    default:
      return (ctx) => toNumber(l(ctx)) % toNumber(r(ctx));
  }
}

/** The known name nearest to a misspelling, if it is near enough to be the likely intent. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
