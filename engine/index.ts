// The engine's public surface. Connectors, the CLI, tests and benchmarks import from
// here; everything not listed stays internal.
export { Engine, IngestResult, stateLayoutFor, type CampaignReport, type EngineOptions, type SegmentSize } from "./Engine.js";
export { MAX_SEGMENTS, type CompiledSegment } from "./segments/CompiledSegment.js";
export type { SegmentChange, SegmentChangeCause, SegmentsSnapshot } from "./segments/SegmentTracker.js";
export {
  BASE_PROFILE,
  SegmentProfiles,
  type AttributeComparison,
  type AttributeDistribution,
  type BinComparison,
  type BinShare,
  type CategoryShare,
  type MeasureSummary,
  type ProfileComparison,
  type ProfilesStamp,
  type ProfileSummary,
  type SegmentProfile,
} from "./segments/profiles/SegmentProfiles.js";
export type { EngineOutput, RejectedInput } from "./EngineOutput.js";
export {
  ACTION_KINDS,
  type ActionDefinition,
  type ActionKind,
  type DecisionDefinitions,
  type SegmentDefinition,
  type EngineSettings,
  type LocateValue,
  type TriggerChannel,
  type TriggerDefinition,
  type ValueLocation,
} from "./EngineSettings.js";
export {
  DECISION_SOURCES,
  EngineStats,
  EVENT_OUTCOMES,
  type EngineStatsSnapshot,
  SUPPRESSION_REASONS,
  type EventOutcome,
} from "./EngineStats.js";
export { ManualClock, systemClock, type Clock } from "./clock.js";
export { CheckpointCut } from "./checkpoint/CheckpointCut.js";
export type { EngineSnapshot, RequestDecisionRecord } from "./checkpoint/EngineSnapshot.js";
export { decodeStored, encodeStored } from "./wire/storedRecord.js";
export {
  ConfigError,
  ConfigErrorCodes,
  CxError,
  formatPosition,
  INPUT_ERROR_CODES,
  InputErrorCodes,
  Rejection,
  ServiceErrorCodes,
  type ConfigErrorCode,
  type ErrorCode,
  type InputErrorCode,
  type ServiceErrorCode,
  type SourcePosition,
} from "./errors.js";
export { CHANNELS, isChannel, type Channel } from "./events/Channel.js";
export { EventValidator } from "./events/EventValidator.js";
export { EVENT_TYPES, type EventType } from "./events/EventType.js";
export {
  CUSTOMER_ID_PATTERN,
  EVENT_ID_PATTERN,
  eventFieldSchemas,
  eventJsonSchema,
  OFFER_RESPONSES,
  SURVEY_KINDS,
  SURVEY_SCALES,
  type EventFieldSchema,
  type EventInput,
  type OfferResponse,
  type SurveyKind,
} from "./events/eventSchema.js";
export { compileDecisionConfig, formatKeyPath, type DecisionConfig } from "./decisions/DecisionConfig.js";
export { DecideRequestSchema, MAX_DECIDE_LIMIT, type DecideRequest } from "./decisions/DecideRequest.js";
export type {
  Decision,
  DecisionSource,
  DecisionTimings,
  FilteredAction,
  RankedAction,
  Reason,
  ReasonCode,
} from "./decisions/Decision.js";
export { CHANNEL_NAMES, CUSTOMER_FUNCTIONS, CUSTOMER_NAMES, EVENT_NAMES, type RuleName } from "./decisions/ruleScope.js";
export {
  COMPLAINT_HISTORIES,
  CUSTOMER_STATUSES,
  NPS_CLASSES,
  VALUE_TIERS,
  type ComplaintHistory,
  type CustomerState,
  type LifecyclePolicy,
  type NpsClass,
  type ValueTier,
} from "./state/CustomerState.js";
export type { CustomerProfile } from "./state/CustomerProfile.js";
export type { AliveInsight, DetractorDriver, DetractorDriversInsight, ProfitabilityInsight, ProfitDecile } from "./metrics/BaseInsights.js";
export { INSIGHT_NAMES, type InsightName, type Insights, type InsightsScan } from "./metrics/InsightsScan.js";
export { repeatHistoryOf, type AliveModel, type Valuation } from "./state/customerValue.js";
export { decodeCustomer } from "./checkpoint/CustomerSnapshot.js";
export { fitBgNbd, type BgNbdFit, type BgNbdParameters, type RepeatHistory } from "./models/BgNbd.js";
export { CUSTOMER_FEATURE_COUNT, customerFeatures } from "./models/customerFeatures.js";
export { FeatureKind, FeatureVector, hashString } from "./models/FeatureVector.js";
export { FtrlLogistic, sigmoid, type FtrlOptions, type FtrlSnapshot } from "./models/FtrlLogistic.js";
export { ModelQuality, type CalibrationBin, type ModelQualitySnapshot, type QualityReport } from "./models/ModelQuality.js";
export { DEFAULT_CLIP, NumericScaler, type NumericScalerSnapshot } from "./models/NumericScaler.js";
export { OnlineModels, type ModelReport, type ModelSettings, type OnlineModelsSnapshot } from "./models/OnlineModels.js";
export {
  BREAKDOWNS,
  withBreakdowns,
  type Breakdown,
  type BusinessMetricsSnapshot,
  type BusinessReport,
  type BusinessReportPart,
  type GroupReport,
  type MonthReport,
} from "./metrics/BusinessMetrics.js";
export { CUBE_DIMENSIONS, CUBE_MEASURES, CubeQuerySchema, type CubeAnswer, type CubeDimension, type CubeMeasure, type CubeRow } from "./cube/CubeQuery.js";
export { CUBE_MONTHS, type LiveCubeSnapshot } from "./cube/LiveCube.js";
export { compileNumber, compilePredicate, type CompiledRule } from "./rules/compileRule.js";
export { RuleSource } from "./rules/RuleSource.js";
export type { RuleScope, ValueType } from "./rules/RuleScope.js";
export { decodePayload, isJsonPayload } from "./wire/decodePayload.js";
export { encodeOutbound } from "./wire/encodeOutbound.js";
export { CampaignLedger, NO_OUTCOMES, type ArmCounters, type CampaignLedgerSnapshot, type OutcomeMask } from "./campaigns/CampaignLedger.js";
export { CONTROL_ARM, ExperimentDesign, type ExperimentArm, type VariantSpec } from "./campaigns/ExperimentDesign.js";
export {
  compareProportions,
  liftReport,
  type ArmSummary,
  type LiftReport,
  type MeanComparison,
  type ProportionComparison,
  type VariantLift,
} from "./campaigns/LiftReport.js";
export { erfc, normalCdf, Z_95 } from "./campaigns/normalCdf.js";
