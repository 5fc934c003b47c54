import Type from 'typebox';
import {
  DOWNLOAD_MODES,
  DataDownloadRequestSchema,
  DataLoadResultSchema,
} from '../contracts/data.js';
import { TimeframeSchema } from '../contracts/enums.js';
import { StringEnum } from '../contracts/schema-helpers.js';
import { Routes } from '../contracts/routes.js';
import { EMPTY_SCOPE, defineJobKind } from './job-kind.js';

/** What a data download keeps to run again (retry). */
export const DataLoadJobSchema = Type.Object({ request: DataDownloadRequestSchema });

/** What a data download records about itself. */
export const DataLoadMetadataSchema = Type.Object({
  symbol: Type.String(),
  timeframe: TimeframeSchema,
  start_date: Type.String(),
  end_date: Type.String(),
  mode: StringEnum(DOWNLOAD_MODES),
  instrument_type: Type.String(),
  exchange: Type.Optional(Type.String()),
  currency: Type.Optional(Type.String()),
  chunks: Type.Integer(),
});

/** A completed download's summary: its result less the gap list and timings. */
export const DataLoadSummarySchema = Type.Omit(DataLoadResultSchema, ['gap_list', 'timings']);

/** Data downloads: run by the backend itself (I/O through the IB host service). */
export const dataLoadKind = defineJobKind({
  operationType: 'data_load',
  runsOn: 'backend',
  startRoute: Routes.backend.dataDownload,
  workerStartPath: null,
  schemas: {
    request: DataDownloadRequestSchema,
    job: DataLoadJobSchema,
    resultSummary: DataLoadSummarySchema,
    metadata: DataLoadMetadataSchema,
  },
  preferGpu: false,
  checkpoints: false,
  reads: () => EMPTY_SCOPE,
  label: 'Data load',
  describe: ({ metadata: m }) =>
    `${m.symbol} ${m.timeframe} ${m.start_date.slice(0, 10)}..${m.end_date.slice(0, 10)} (${m.mode})`,
});
