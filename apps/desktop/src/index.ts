export { startLocalStack, type LocalStack, type LocalStackOptions } from './stack/local-stack.js';
export { superviseWorker, WORKER_BIN, type SupervisedWorker } from './stack/worker-process.js';
