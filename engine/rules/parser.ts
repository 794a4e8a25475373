import { ConfigErrorCodes } from "../errors.js";
import { tokenize, type Token } from "./lexer.js";
import type { RuleSource } from "./RuleSource.js";

export type BinaryOperator = "or" | "and" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "+" | "-" | "*" | "/" | "%";

export type Expression =
  | { readonly kind: "literal"; readonly value: number | string | boolean | null; readonly offset: number }
  | { readonly kind: "name"; readonly path: readonly string[]; readonly offset: number }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Expression[]; readonly offset: number }
  | { readonly kind: "list"; readonly items: readonly Expression[]; readonly offset: number }
  | { readonly kind: "not" | "negate"; readonly operand: Expression; readonly offset: number }
  | {
      readonly kind: "binary";
      readonly op: BinaryOperator;
      readonly left: Expression;
      readonly right: Expression;
      readonly offset: number;
    };

const COMPARISONS: ReadonlySet<string> = new Set(["==", "!=", "<", "<=", ">", ">=", "in"]);

/**
 * Parses an expression. Precedence, loosest first: `or`, `and`, `not`, comparisons
 * (`== != < <= > >= in`, not chainable), `+ -`, `* / %`, unary `-`.
 */
export function parse(source: RuleSource): Expression {
  return new Parser(source).parseAll();
}

class Parser {
  readonly #source: RuleSource;
  readonly #tokens: Token[];
  #at = 0;

  constructor(source: RuleSource) {
    this.#source = source;
    this.#tokens = tokenize(source);
  }

  parseAll(): Expression {
    if (this.#peek().kind === "end") throw this.#error(this.#peek(), "the expression is empty");
    const expression = this.#or();
    const rest = this.#peek();
    if (rest.kind !== "end") throw this.#error(rest, `unexpected "${rest.text}" after a complete expression`);
    return expression;
  }

  #or(): Expression {
    let left = this.#and();
    while (this.#isKeyword("or")) {
      const token = this.#next();
      left = { kind: "binary", op: "or", left, right: this.#and(), offset: token.offset };
    }
    return left;
  }

  #and(): Expression {
    let left = this.#not();
    while (this.#isKeyword("and")) {
      const token = this.#next();
      left = { kind: "binary", op: "and", left, right: this.#not(), offset: token.offset };
    }
    return left;
  }

  #not(): Expression {
    if (this.#isKeyword("not")) {
      const token = this.#next();
      return { kind: "not", operand: this.#not(), offset: token.offset };
    }
    return this.#comparison();
  }

  #comparison(): Expression {
    const left = this.#additive();
    const token = this.#peek();
    if (!this.#isComparison(token)) return left;
    this.#next();
    const right = this.#additive();
    const after = this.#peek();
    if (this.#isComparison(after)) {
      throw this.#error(after, `comparisons do not chain; join them with "and"`);
    }
    return { kind: "binary", op: token.text as BinaryOperator, left, right, offset: token.offset };
  }

  #additive(): Expression {
    let left = this.#multiplicative();
    for (let token = this.#peek(); this.#isOperator(token, "+", "-"); token = this.#peek()) {
      this.#next();
      left = { kind: "binary", op: token.text as BinaryOperator, left, right: this.#multiplicative(), offset: token.offset };
    }
    return left;
  }

  #multiplicative(): Expression {
    let left = this.#unary();
    for (let token = this.#peek(); this.#isOperator(token, "*", "/", "%"); token = this.#peek()) {
      this.#next();
      left = { kind: "binary", op: token.text as BinaryOperator, left, right: this.#unary(), offset: token.offset };
    }
    return left;
  }

  #unary(): Expression {
    const token = this.#peek();
    if (this.#isOperator(token, "-")) {
      this.#next();
      return { kind: "negate", operand: this.#unary(), offset: token.offset };
    }
    return this.#primary();
  }

  #primary(): Expression {
    const token = this.#next();
    switch (token.kind) {
      case "number":
        return { kind: "literal", value: Number(token.text), offset: token.offset };
      case "string":
        return { kind: "literal", value: token.text, offset: token.offset };
      case "keyword":
        if (token.text === "true" || token.text === "false") {
          return { kind: "literal", value: token.text === "true", offset: token.offset };
        }
        if (token.text === "null") return { kind: "literal", value: null, offset: token.offset };
        throw this.#error(token, `"${token.text}" cannot start a value`);
      case "name":
        return this.#nameOrCall(token);
      case "punctuation":
        if (token.text === "(") {
          const inner = this.#or();
          this.#expect(")", "to close this parenthesis", token);
          return inner;
        }
        if (token.text === "[") return this.#list(token);
        throw this.#error(token, `unexpected "${token.text}"`);
      case "end":
        throw this.#error(token, "the expression ends too early");
      default:
        throw this.#error(token, `unexpected "${token.text}"`);
    }
  }

  #nameOrCall(first: Token): Expression {
    if (this.#isPunctuation("(")) {
      this.#next();
      const args: Expression[] = [];
      if (!this.#isPunctuation(")")) {
        do args.push(this.#or());
        while (this.#isPunctuation(",") && this.#next());
      }
      this.#expect(")", `to close the call of ${first.text}(`, first);
      return { kind: "call", name: first.text, args, offset: first.offset };
    }
    const path = [first.text];
    while (this.#isPunctuation(".")) {
      this.#next();
      const part = this.#next();
      if (part.kind !== "name" && part.kind !== "keyword") throw this.#error(part, `expected a field name after "."`);
      path.push(part.text);
    }
    return { kind: "name", path, offset: first.offset };
  }

  #list(open: Token): Expression {
    const items: Expression[] = [];
    if (!this.#isPunctuation("]")) {
      do items.push(this.#additive());
      while (this.#isPunctuation(",") && this.#next());
    }
    this.#expect("]", "to close this list", open);
    return { kind: "list", items, offset: open.offset };
  }

  #expect(text: string, why: string, opener: Token): void {
    const token = this.#next();
    if (token.kind === "punctuation" && token.text === text) return;
    const found = token.kind === "end" ? "the end" : `"${token.text}"`;
    throw this.#error(token, `expected "${text}" ${why} (opened at column ${this.#source.positionAt(opener.offset).column}), found ${found}`);
  }

  #peek(): Token {
    return this.#tokens[this.#at]!;
  }

  #next(): Token {
    const token = this.#tokens[this.#at]!;
    if (token.kind !== "end") this.#at++;
    return token;
  }

  #isKeyword(word: string): boolean {
    const token = this.#peek();
    return token.kind === "keyword" && token.text === word;
  }

  #isPunctuation(text: string): boolean {
    const token = this.#peek();
    return token.kind === "punctuation" && token.text === text;
  }

  #isOperator(token: Token, ...ops: string[]): boolean {
    return token.kind === "operator" && ops.includes(token.text);
  }

  #isComparison(token: Token): boolean {
    return (token.kind === "operator" || token.kind === "keyword") && COMPARISONS.has(token.text);
  }

  #error(token: Token, message: string) {
    return this.#source.error(ConfigErrorCodes.RuleSyntax, token.offset, message);
  }
}
