// Runs the shared storage conformance suite against the in-memory driver.
import { runStorageConformance } from '../storage-conformance/index.ts';
import { createMemoryStorage } from './index.ts';

runStorageConformance('storage-memory', () => createMemoryStorage());
