export { startIbHost, type IbHostHandle } from './ib-host.js';
export {
  loadIbHostConfig,
  IbHostConfigError,
  IB_HOST_PORT,
  IB_HOST_USAGE,
  type IbHostConfig,
} from './config.js';
export {
  Pacer,
  IB_PACING_RULES,
  type PacingRules,
  type PacedRequest,
  type PacingPlan,
  type PlannedRequest,
  type Reservation,
} from './pacing/pacer.js';
export { planChunks, type ChunkRequest } from './historical/chunk-plan.js';
export {
  mapContract,
  type MappedContract,
  type ContractQuery,
} from './contracts/contract-mapping.js';
