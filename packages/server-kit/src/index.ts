/// <reference types="@fastify/swagger" preserve="true" />
export * from './auth.js';
export * from './auth-throttle.js';
export * from './errors.js';
export * from './create-server.js';
export * from './schemas.js';
export * from './listen.js';
export { rawReply } from './raw-reply.js';
export * from './logger.js';
export * from './config.js';
export * from './session.js';
export * from './young-generation.js';
export { bodyChecker } from './validation.js';
