// Public surface of the in-memory storage driver.
export { createMemoryStorage } from './driver.ts';
