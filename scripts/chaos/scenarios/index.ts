// Every chaos scenario, in the order `npm run chaos` runs them: one fault at a time.
import { apiKilledInRedisOutage } from './api-killed-in-redis-outage.js';
import { llmThrottled } from './llm-throttled.js';
import { postgresRestarted } from './postgres-restarted.js';
import { redisKilled } from './redis-killed.js';
import { sigtermUnderLoad } from './sigterm-under-load.js';
import { storageDown } from './storage-down.js';
import { workerKilled } from './worker-killed.js';

export const scenarios = [
  redisKilled,
  postgresRestarted,
  storageDown,
  llmThrottled,
  sigtermUnderLoad,
  workerKilled,
  apiKilledInRedisOutage,
];
