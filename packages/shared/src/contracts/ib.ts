import Type, { type Static } from 'typebox';
import { TimeframeSchema, type Timeframe } from './enums.js';
import { INSTRUMENT_TYPES, SymbolSchema } from './data.js';
import { IsoDateTime, Nullable, StringEnum } from './schema-helpers.js';

/** What kind of instrument a symbol names at IB: `stock` (STK), `forex` (CASH), `future` (CONTFUT). */
export const InstrumentTypeSchema = StringEnum(INSTRUMENT_TYPES, { default: 'stock' });
/** See {@link InstrumentTypeSchema}. */
export type InstrumentType = Static<typeof InstrumentTypeSchema>;

/** IB's bar-size names for our timeframes. */
export const IB_BAR_SIZES: Readonly<Record<Timeframe, string>> = {
  '1m': '1 min',
  '5m': '5 mins',
  '15m': '15 mins',
  '30m': '30 mins',
  '1h': '1 hour',
  '4h': '4 hours',
  '1d': '1 day',
};

/**
 * The longest span one IB historical-data request may cover for each bar size, from IB's
 * "valid duration and bar size settings" table (1 min → 1 D, 5–15 mins → 1 W, 30 mins –
 * 4 hours → 1 M, 1 day → 1 Y), with the IB duration string and its length in days.
 */
export const IB_MAX_REQUEST_SPAN: Readonly<Record<Timeframe, { duration: string; days: number }>> =
  {
    '1m': { duration: '1 D', days: 1 },
    '5m': { duration: '1 W', days: 7 },
    '15m': { duration: '1 W', days: 7 },
    '30m': { duration: '1 M', days: 30 },
    '1h': { duration: '1 M', days: 30 },
    '4h': { duration: '1 M', days: 30 },
    '1d': { duration: '1 Y', days: 365 },
  };

/** `POST /api/v1/data/historical` on the IB host service: bars of one range. */
export const IbHistoricalRequestSchema = Type.Object(
  {
    symbol: SymbolSchema,
    timeframe: TimeframeSchema,
    start: IsoDateTime,
    end: IsoDateTime,
    instrument_type: Type.Optional(InstrumentTypeSchema),
    use_rth: Type.Optional(
      Type.Boolean({ default: false, description: 'regular trading hours only' }),
    ),
  },
  { additionalProperties: false },
);
/** See {@link IbHistoricalRequestSchema}. */
export type IbHistoricalRequest = Static<typeof IbHistoricalRequestSchema>;

/** One request the host service sent to IB for a historical range, and how it ended. */
export const IbRequestLogSchema = Type.Object({
  end: IsoDateTime,
  duration: Type.String({ description: 'IB duration string in whole days, e.g. "30 D"' }),
  bars: Type.Integer({ minimum: 0 }),
  outcome: StringEnum(['bars', 'no_data'] as const),
  paced_ms: Type.Integer({ minimum: 0, description: 'how long the pacer held it back' }),
  retries: Type.Integer({ minimum: 0, description: 'pacing violations retried' }),
});
/** See {@link IbRequestLogSchema}. */
export type IbRequestLog = Static<typeof IbRequestLogSchema>;

/**
 * The bars of a range in columnar form (epoch ms UTC), sorted and without duplicates; the bar
 * still forming at request time is never included.
 */
export const IbHistoricalResponseSchema = Type.Object({
  symbol: Type.String(),
  timeframe: TimeframeSchema,
  time: Type.Array(Type.Number()),
  open: Type.Array(Type.Number()),
  high: Type.Array(Type.Number()),
  low: Type.Array(Type.Number()),
  close: Type.Array(Type.Number()),
  volume: Type.Array(Type.Number()),
  requests: Type.Array(IbRequestLogSchema),
  dropped_forming_bar: Type.Boolean(),
});
/** See {@link IbHistoricalResponseSchema}. */
export type IbHistoricalResponse = Static<typeof IbHistoricalResponseSchema>;

/** `POST /api/v1/data/validate` (IB host) and `POST /api/v1/ib/validate` (backend) body. */
export const IbValidateRequestSchema = Type.Object(
  { symbol: SymbolSchema, instrument_type: Type.Optional(InstrumentTypeSchema) },
  { additionalProperties: false },
);
/** See {@link IbValidateRequestSchema}. */
export type IbValidateRequest = Static<typeof IbValidateRequestSchema>;

/** A symbol IB knows: its contract details. An unknown one is a 400 naming it. */
export const IbContractSchema = Type.Object({
  symbol: Type.String(),
  instrument_type: InstrumentTypeSchema,
  con_id: Type.Integer(),
  sec_type: Type.String(),
  exchange: Type.String(),
  primary_exchange: Nullable(Type.String()),
  currency: Type.String(),
  local_symbol: Nullable(Type.String()),
  long_name: Nullable(Type.String()),
  time_zone: Nullable(Type.String()),
  trading_hours: Nullable(Type.String()),
  liquid_hours: Nullable(Type.String()),
});
/** See {@link IbContractSchema}. */
export type IbContract = Static<typeof IbContractSchema>;

/** `GET /api/v1/data/head-timestamp?symbol=&instrument_type=` answer: the earliest data IB has. */
export const IbHeadTimestampSchema = Type.Object({
  symbol: Type.String(),
  head_timestamp: IsoDateTime,
});
/** See {@link IbHeadTimestampSchema}. */
export type IbHeadTimestamp = Static<typeof IbHeadTimestampSchema>;

/** The host service's link to IB Gateway/TWS. */
export const IbGatewayStateSchema = Type.Object({
  state: StringEnum(['connected', 'connecting', 'disconnected', 'paused'] as const, {
    description:
      'paused: IB reported its own link to its servers lost (1100) until restored (1102)',
  }),
  connected: Type.Boolean(),
  host: Type.String(),
  port: Type.Integer(),
  client_id: Type.Integer(),
  server_version: Nullable(Type.Integer()),
  since: IsoDateTime,
  last_error: Nullable(
    Type.Object({ code: Type.Integer(), message: Type.String(), at: IsoDateTime }),
  ),
});
/** See {@link IbGatewayStateSchema}. */
export type IbGatewayState = Static<typeof IbGatewayStateSchema>;

/** `GET /health` of the IB host service (open, like every service's health). */
export const IbHostHealthSchema = Type.Object({
  status: Type.Literal('ok'),
  service: Type.Literal('ib-host'),
  version: Type.String(),
  gateway: IbGatewayStateSchema,
});
/** See {@link IbHostHealthSchema}. */
export type IbHostHealth = Static<typeof IbHostHealthSchema>;

/** `GET /api/v1/ib/status` on the backend: the host service's gateway state, or why there is none. */
export const IbStatusSchema = Type.Object({
  enabled: Type.Boolean({ description: 'USE_IB_HOST_SERVICE' }),
  host_service_url: Type.String(),
  reachable: Type.Boolean(),
  gateway: Nullable(IbGatewayStateSchema),
  message: Type.String(),
});
/** See {@link IbStatusSchema}. */
export type IbStatus = Static<typeof IbStatusSchema>;
