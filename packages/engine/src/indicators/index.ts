export * from './compute.js';
