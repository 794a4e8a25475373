import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import type { TObject } from "@sinclair/typebox";
import type { Clock } from "../clock.js";
import { InputErrorCodes, Rejection } from "../errors.js";
import type { DecodedObject } from "../wire/decodePayload.js";
import { EVENT_TYPES, type EventType } from "./EventType.js";
import { rejectionFromSchemaError } from "./rejectionFromSchemaError.js";
import { EVENT_SCHEMAS, SURVEY_SCALES, type EventInput, type SurveyKind } from "./eventSchema.js";

export interface EventValidatorOptions {
  readonly clock: Clock;
  /** How far (ms) an event's `ts` may lie ahead of the clock before it is rejected. */
  readonly maxFutureSkewMs: number;
}

const TYPE_LIST = EVENT_TYPES.join(", ");

/**
 * Checks decoded objects against the event contract. The per-type checks are compiled
 * once at construction; the hot path is one compiled check plus two semantic checks,
 * and only a failing event pays for working out which code and message to report.
 */
export class EventValidator {
  readonly #checks: ReadonlyMap<string, TypeCheck<TObject>>;
  readonly #clock: Clock;
  readonly #maxFutureSkewMs: number;

  constructor(options: EventValidatorOptions) {
    this.#clock = options.clock;
    this.#maxFutureSkewMs = options.maxFutureSkewMs;
    this.#checks = new Map(EVENT_TYPES.map((type) => [type, TypeCompiler.Compile(EVENT_SCHEMAS[type])]));
  }

  validate(value: DecodedObject): EventInput | Rejection {
    const type = value.type;
    const check = typeof type === "string" ? this.#checks.get(type) : undefined;
    if (check === undefined) return rejectType(type);
    if (!check.Check(value)) return rejectionFromSchemaError(`${type as EventType} event`, check.Errors(value).First(), "attrs");
    const event = value as EventInput;
    const latestTs = this.#clock.now() + this.#maxFutureSkewMs;
    if (event.ts > latestTs) {
      return new Rejection(
        InputErrorCodes.TsOutOfRange,
        `ts is ${event.ts - latestTs + this.#maxFutureSkewMs} ms in the future; the allowed skew is ${this.#maxFutureSkewMs} ms`,
      );
    }
    if (event.type === "survey") return checkSurveyScale(event.survey, event.score) ?? event;
    return event;
  }
}

function rejectType(type: unknown): Rejection {
  if (type === undefined) return new Rejection(InputErrorCodes.MissingField, `event needs field "type"`);
  if (typeof type !== "string") return new Rejection(InputErrorCodes.WrongType, `"type" must be a string`);
  return new Rejection(InputErrorCodes.UnknownEventType, `unknown event type; expected one of: ${TYPE_LIST}`);
}

function checkSurveyScale(survey: SurveyKind, score: number): Rejection | undefined {
  const scale = SURVEY_SCALES[survey];
  if (score >= scale.min && score <= scale.max) return undefined;
  return new Rejection(
    InputErrorCodes.InvalidValue,
    `"score" ${score} is off the ${survey} scale ${scale.min}-${scale.max}`,
  );
}
