import type { FunctionBinding, NameBinding, RuleScope, ValueType } from "../../../engine/rules/RuleScope.js";

/** What rules in these tests read: plain values, and free attributes that may be missing. */
export interface TestContext {
  readonly values: Readonly<Record<string, unknown>>;
  readonly attrs?: Readonly<Record<string, unknown>>;
}

export const ctx = (values: Record<string, unknown> = {}, attrs?: Record<string, unknown>): TestContext =>
  attrs === undefined ? { values } : { values, attrs };

const TYPES: Readonly<Record<string, ValueType>> = {
  age: "number",
  spend: "number",
  score: "number",
  plan: "string",
  region: "string",
  vip: "boolean",
  active: "boolean",
  tags: "list",
};

/**
 * A small RuleScope over TestContext: typed names, `attrs.<key>` (type any, missing reads
 * as undefined), and functions `double(n)`, `isTag(s)` and `needsConst(n)` (which refuses a
 * non-constant argument). `reads` counts calls of every name reader.
 */
export function testScope() {
  const reads = { count: 0 };
  const binds: { constant: boolean; value: unknown }[] = [];
  const names = new Map<string, NameBinding<TestContext>>(
    Object.entries(TYPES).map(([name, type]) => [
      name,
      {
        type,
        read: (c: TestContext) => {
          reads.count++;
          return c.values[name];
        },
      },
    ]),
  );
  const functions = new Map<string, FunctionBinding<TestContext>>([
    [
      "double",
      {
        params: ["number"],
        returns: "number",
        bind: ([n]) => {
          const read = n!.read;
          return (c) => (read(c) as number) * 2;
        },
      },
    ],
    [
      "isTag",
      {
        params: ["string"],
        returns: "boolean",
        bind: ([s]) => {
          const read = s!.read;
          return (c) => ((c.values.tags as string[] | undefined) ?? []).includes(read(c) as string);
        },
      },
    ],
    [
      "needsConst",
      {
        params: ["number"],
        returns: "number",
        bind: ([n]) => {
          if (!n!.constant) return { error: "the argument must be a constant", arg: 0 };
          const value = n!.read(undefined as unknown as TestContext);
          binds.push({ constant: n!.constant, value });
          return () => value;
        },
      },
    ],
  ]);
  const scope: RuleScope<TestContext> = {
    name(path) {
      if (path.length === 2 && path[0] === "attrs") {
        const key = path[1]!;
        return { type: "any", read: (c) => c.attrs?.[key] };
      }
      return names.get(path.join("."));
    },
    fn: (name) => functions.get(name),
    knownNames: () => [...names.keys(), ...functions.keys()],
  };
  return { scope, reads, binds };
}
