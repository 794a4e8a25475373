import { ConfigErrorCodes } from "../errors.js";
import type { RuleSource } from "./RuleSource.js";

export type TokenKind =
  | "number"
  | "string"
  | "name"
  | "keyword"
  | "operator"
  | "punctuation"
  | "end";

export interface Token {
  readonly kind: TokenKind;
  /** The token's text; for strings, the unescaped value. */
  readonly text: string;
  readonly offset: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set(["and", "or", "not", "in", "true", "false", "null"]);

const OPERATORS = ["==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%"] as const;
const PUNCTUATION = "()[],.";
/** Spellings from other languages, with the word this language uses instead. */
const FOREIGN_OPERATORS: ReadonlyMap<string, string> = new Map([
  ["&&", "and"],
  ["||", "or"],
  ["!", "not"],
  ["=", "=="],
]);
const ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", "\\": "\\", '"': '"', "'": "'" };

export function tokenize(source: RuleSource): Token[] {
  const text = source.text;
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(ch) || (ch === "." && isDigit(text[i + 1] ?? ""))) {
      while (i < text.length && isDigit(text[i]!)) i++;
      if (text[i] === "." && isDigit(text[i + 1] ?? "")) {
        i++;
        while (i < text.length && isDigit(text[i]!)) i++;
      }
      if (text[i] === "e" || text[i] === "E") {
        let j = i + 1;
        if (text[j] === "+" || text[j] === "-") j++;
        if (isDigit(text[j] ?? "")) {
          i = j;
          while (i < text.length && isDigit(text[i]!)) i++;
        }
      }
      if (isNameStart(text[i] ?? "")) {
        throw source.error(ConfigErrorCodes.RuleSyntax, i, "a number runs into a name; put a space or an operator between them");
      }
      tokens.push({ kind: "number", text: text.slice(start, i), offset: start });
      continue;
    }
    if (isNameStart(ch)) {
      while (i < text.length && isNamePart(text[i]!)) i++;
      const word = text.slice(start, i);
      tokens.push({ kind: KEYWORDS.has(word) ? "keyword" : "name", text: word, offset: start });
      continue;
    }
    if (ch === '"' || ch === "'") {
      i++;
      let value = "";
      for (;;) {
        if (i >= text.length || text[i] === "\n") {
          throw source.error(ConfigErrorCodes.RuleSyntax, start, "this string is never closed");
        }
        const c = text[i]!;
        if (c === ch) {
          i++;
          break;
        }
        if (c === "\\") {
          const escaped = ESCAPES[text[i + 1] ?? ""];
          if (escaped === undefined) {
            throw source.error(ConfigErrorCodes.RuleSyntax, i, `unknown escape "\\${text[i + 1] ?? ""}" in a string`);
          }
          value += escaped;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      tokens.push({ kind: "string", text: value, offset: start });
      continue;
    }
    const operator = OPERATORS.find((op) => text.startsWith(op, i));
    const foreign = [...FOREIGN_OPERATORS.keys()].find((op) => text.startsWith(op, i));
    if (foreign !== undefined && (operator === undefined || foreign.length > operator.length)) {
      throw source.error(
        ConfigErrorCodes.RuleSyntax,
        i,
        `"${foreign}" is not an operator here; write "${FOREIGN_OPERATORS.get(foreign)}"`,
      );
    }
    if (operator !== undefined) {
      tokens.push({ kind: "operator", text: operator, offset: start });
      i += operator.length;
      continue;
    }
    if (PUNCTUATION.includes(ch)) {
      tokens.push({ kind: "punctuation", text: ch, offset: start });
      i++;
      continue;
    }
    throw source.error(ConfigErrorCodes.RuleSyntax, i, `unexpected character "${ch}"`);
  }
  tokens.push({ kind: "end", text: "", offset: text.length });
  return tokens;
}

function isDigit(ch: string): boolean {
  return ch >= "0" && ch <= "9";
}

function isNameStart(ch: string): boolean {
  return (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || ch === "_";
}

function isNamePart(ch: string): boolean {
  return isNameStart(ch) || isDigit(ch);
}
