import { describe, expect, it } from "vitest";
import { EventValidator } from "../../../engine/events/EventValidator.js";
import { EVENT_TYPE_INDEX, EventTypeIndex } from "../../../engine/events/EventType.js";
import {
  EVENT_ID_PATTERN,
  EVENT_TYPES,
  InputErrorCodes,
  ManualClock,
  Rejection,
  type InputErrorCode,
} from "../../../engine/index.js";
import { T0, VALID_EVENTS } from "./examples.js";

const SKEW = 5 * 60_000;

/** Compiling the per-type checks takes a few milliseconds, so tests that do not move the clock share one. */
const shared = new EventValidator({ clock: new ManualClock(T0), maxFutureSkewMs: SKEW });

function validator(clock?: ManualClock) {
  return clock === undefined ? shared : new EventValidator({ clock, maxFutureSkewMs: SKEW });
}

const purchase = { id: "e1", customerId: "C1", type: "purchase", channel: "web", ts: T0, amount: 10, product: "p", category: "c" };
const survey = (kind: string, score: number) => ({ id: "e2", customerId: "C1", type: "survey", channel: "app", ts: T0, survey: kind, score });
const without = (value: Record<string, unknown>, field: string) => {
  const copy = { ...value };
  delete copy[field];
  return copy;
};

function rejection(value: Record<string, unknown>, v = validator()): Rejection {
  const result = v.validate(value);
  if (!(result instanceof Rejection)) throw new Error(`expected a rejection for ${JSON.stringify(value)}`);
  return result;
}

function expectRejected(value: Record<string, unknown>, code: InputErrorCode, field: string, v = validator()): void {
  const result = rejection(value, v);
  expect(result.code).toBe(code);
  expect(result.message).toContain(field);
}

describe("EventValidator: valid events", () => {
  it.each(EVENT_TYPES.map((type) => [type]))("accepts every example of a %s event", (type) => {
    const examples = VALID_EVENTS[type];
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const result = validator().validate(example);
      expect(result, JSON.stringify(example)).not.toBeInstanceOf(Rejection);
      expect(result).toBe(example);
    }
  });

  it("has an example for exactly the event types the engine knows", () => {
    expect(Object.keys(VALID_EVENTS).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it("accepts a ts exactly at the clock plus the allowed skew", () => {
    expect(validator().validate({ ...purchase, ts: T0 + SKEW })).not.toBeInstanceOf(Rejection);
  });

  it("accepts the survey scale limits of each kind", () => {
    for (const [kind, min, max] of [["nps", 0, 10], ["csat", 1, 5], ["ces", 1, 7]] as const) {
      expect(validator().validate(survey(kind, min)), `${kind} ${min}`).not.toBeInstanceOf(Rejection);
      expect(validator().validate(survey(kind, max)), `${kind} ${max}`).not.toBeInstanceOf(Rejection);
    }
  });
});

describe("EventValidator: rejection codes", () => {
  it("reports a missing required field as missing_field naming the field", () => {
    expectRejected(without(purchase, "ts"), InputErrorCodes.MissingField, '"ts"');
    expectRejected(without(purchase, "id"), InputErrorCodes.MissingField, '"id"');
    expectRejected(without(purchase, "amount"), InputErrorCodes.MissingField, '"amount"');
    expectRejected(without(survey("nps", 5), "score"), InputErrorCodes.MissingField, '"score"');
  });

  it("reports a missing type as missing_field naming type", () => {
    expectRejected(without(purchase, "type"), InputErrorCodes.MissingField, '"type"');
  });

  it("reports a field of the wrong JSON type as wrong_type naming the field", () => {
    expectRejected({ ...purchase, ts: String(T0) }, InputErrorCodes.WrongType, '"ts"');
    expectRejected({ ...purchase, amount: "10" }, InputErrorCodes.WrongType, '"amount"');
    expectRejected({ ...purchase, customerId: 42 }, InputErrorCodes.WrongType, '"customerId"');
    expectRejected({ ...purchase, channel: 3 }, InputErrorCodes.WrongType, '"channel"');
    expectRejected({ ...purchase, type: 7 }, InputErrorCodes.WrongType, '"type"');
    expectRejected({ ...purchase, attrs: { nested: { no: 1 } } }, InputErrorCodes.WrongType, "attrs.nested");
  });

  it("reports a field the type does not have as unknown_field naming the field and pointing at attrs", () => {
    const result = rejection({ ...purchase, color: "blue" });
    expect(result.code).toBe(InputErrorCodes.UnknownField);
    expect(result.message).toContain('"color"');
    expect(result.message).toContain('"attrs"');
    // A field of another type is unknown here too.
    expectRejected({ ...purchase, page: "/x" }, InputErrorCodes.UnknownField, '"page"');
    expectRejected({ ...VALID_EVENTS.profile[0]!, consents: { fax: true } }, InputErrorCodes.UnknownField, "consents.fax");
  });

  it("reports an unknown type as unknown_event_type listing the known ones", () => {
    const result = rejection({ ...purchase, type: "teleport" });
    expect(result.code).toBe(InputErrorCodes.UnknownEventType);
    for (const type of EVENT_TYPES) expect(result.message).toContain(type);
  });

  it("reports an unknown channel name as unknown_channel", () => {
    const result = rejection({ ...purchase, channel: "fax" });
    expect(result.code).toBe(InputErrorCodes.UnknownChannel);
    expect(result.message).toContain("callcenter");
  });

  it("reports NaN and Infinity as invalid_value naming the field", () => {
    expectRejected({ ...purchase, amount: Number.NaN }, InputErrorCodes.InvalidValue, '"amount"');
    expectRejected({ ...purchase, amount: Number.POSITIVE_INFINITY }, InputErrorCodes.InvalidValue, '"amount"');
    expectRejected({ ...purchase, cost: Number.NEGATIVE_INFINITY }, InputErrorCodes.InvalidValue, '"cost"');
    expectRejected({ ...purchase, ts: Number.NaN }, InputErrorCodes.InvalidValue, '"ts"');
  });

  it("reports negative and absurdly large money as invalid_value", () => {
    expectRejected({ ...purchase, amount: -5 }, InputErrorCodes.InvalidValue, '"amount"');
    expectRejected({ ...purchase, cost: -0.01 }, InputErrorCodes.InvalidValue, '"cost"');
    expectRejected({ ...purchase, amount: 2e9 }, InputErrorCodes.InvalidValue, '"amount"');
  });

  it("reports a non-integer ts as invalid_value, not wrong_type", () => {
    expectRejected({ ...purchase, ts: T0 + 0.5 }, InputErrorCodes.InvalidValue, '"ts"');
  });

  it("reports survey scores off the survey's scale as invalid_value naming score and the scale", () => {
    for (const [kind, score] of [["nps", 11], ["nps", -1], ["csat", 0], ["csat", 6], ["ces", 0], ["ces", 8]] as const) {
      const result = rejection(survey(kind, score));
      expect(result.code, `${kind} ${score}`).toBe(InputErrorCodes.InvalidValue);
      expect(result.message, `${kind} ${score}`).toContain('"score"');
    }
    expect(rejection(survey("csat", 6)).message).toContain("1-5");
    expect(rejection(survey("ces", 8)).message).toContain("1-7");
  });

  it("reports a fractional survey score as invalid_value", () => {
    expectRejected(survey("nps", 7.5), InputErrorCodes.InvalidValue, '"score"');
  });

  it("reports an unknown survey kind or offer response as invalid_value listing the allowed values", () => {
    const kind = rejection(survey("happiness", 3));
    expect(kind.code).toBe(InputErrorCodes.InvalidValue);
    expect(kind.message).toContain('"survey"');
    expect(kind.message).toContain("nps, csat, ces");
    expectRejected({ ...VALID_EVENTS.offer_response[0]!, response: "maybe" }, InputErrorCodes.InvalidValue, '"response"');
  });

  it("reports a ts beyond the allowed future skew as ts_out_of_range, by the injected clock", () => {
    const clock = new ManualClock(T0);
    const v = validator(clock);
    const event = { ...purchase, ts: T0 + SKEW + 1 };
    expectRejected(event, InputErrorCodes.TsOutOfRange, "ts", v);
    expect(rejection(event, v).message).toContain(String(SKEW + 1));
    clock.advance(1);
    expect(v.validate(event)).not.toBeInstanceOf(Rejection);
  });

  it("reports a ts before 2000 (seconds instead of milliseconds) as ts_out_of_range", () => {
    expectRejected({ ...purchase, ts: Math.floor(T0 / 1000) }, InputErrorCodes.TsOutOfRange, '"ts"');
    expectRejected({ ...purchase, ts: Date.UTC(1999, 11, 31, 23, 59, 59, 999) }, InputErrorCodes.TsOutOfRange, '"ts"');
    expect(validator().validate({ ...purchase, ts: Date.UTC(2000, 0, 1) })).not.toBeInstanceOf(Rejection);
  });

  it("reports customer ids outside the token-safe alphabet as unsafe_customer_id", () => {
    for (const customerId of ["a.b", "a b", "a>*", "", "x".repeat(65), "ü"]) {
      expectRejected({ ...purchase, customerId }, InputErrorCodes.UnsafeCustomerId, '"customerId"');
    }
    expect(validator().validate({ ...purchase, customerId: "A-z_09".padEnd(64, "x") })).not.toBeInstanceOf(Rejection);
  });

  it("reports an event id with spaces as invalid_value naming id", () => {
    expectRejected({ ...purchase, id: "a b" }, InputErrorCodes.InvalidValue, '"id"');
  });

  it("quotes the event id pattern as written when it rejects an id", () => {
    expect(rejection({ ...purchase, id: "a b" }).message).toContain(EVENT_ID_PATTERN);
  });

  it("rejects free attributes whose key breaks the attribute-name rule, whatever the value", () => {
    for (const attrs of [{ "1x": "a" }, { "a-b": { nested: [1, 2] } }, { "": 1 }]) {
      const result = validator().validate({ ...purchase, attrs });
      expect(result, JSON.stringify(attrs)).toBeInstanceOf(Rejection);
      expect((result as Rejection).message).toContain("attrs");
    }
  });

  it("rejects more than 32 free attributes", () => {
    const attrs = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]));
    expect(validator().validate({ ...purchase, attrs })).toBeInstanceOf(Rejection);
  });
});

describe("EventTypeIndex", () => {
  it("gives every event type its position in EVENT_TYPES", () => {
    expect(Object.keys(EventTypeIndex)).toEqual([...EVENT_TYPES]);
    EVENT_TYPES.forEach((type, index) => {
      expect(EventTypeIndex[type], type).toBe(index);
      expect(EVENT_TYPE_INDEX.get(type), type).toBe(index);
    });
  });
});
