export { startLocalStack, type LocalStack, type LocalStackOptions } from './stack/local-stack.js';
export { superviseWorker, workerBin, type SupervisedWorker } from './stack/worker-process.js';
