import { validateUsageModel, type UsageModel } from "../../../runtime/cost/usage";

/**
 * A small usage model whose arithmetic is worked by hand in the tests: 1,000 daily users, all in
 * us-east, 10 feed operations a day for 30 days = 300,000 operations a month.
 */
export const SMALL_MODEL_DOCUMENT = {
  name: "small",
  dailyActiveUsers: 1000,
  daysPerMonth: 30,
  operationsPerUserPerDay: 10,
  operationMix: { feed: 1, profile: 0, likes: 0, chat: 0, ai: 0, payments: 0 },
  geographies: { us: 1, eu: 0, asia: 0 },
  homeRegionShare: 1,
  operations: {
    feed: {
      firestoreReads: 10,
      cacheableReads: 8,
      firestoreWrites: 1,
      apiCpuMs: 30,
      counterIncrements: 1,
    },
    profile: { firestoreReads: 0, cacheableReads: 0, firestoreWrites: 0, apiCpuMs: 0 },
    likes: { firestoreReads: 0, cacheableReads: 0, firestoreWrites: 0, apiCpuMs: 0 },
    chat: { firestoreReads: 0, cacheableReads: 0, firestoreWrites: 0, apiCpuMs: 0 },
    ai: { firestoreReads: 0, cacheableReads: 0, firestoreWrites: 0, apiCpuMs: 0 },
    payments: { firestoreReads: 0, cacheableReads: 0, firestoreWrites: 0, apiCpuMs: 0 },
  },
  api: { cpu: 1, memoryMiB: 512 },
  cloudRun: { targetCpuUtilization: 0.6, minInstances: 0 },
  cache: { hitRatio: 0.5 },
  counters: { sharded: true, contentionRetries: 3 },
  events: { "analytics-aggregation": { bytes: 500, perOperation: { feed: 1 } } },
  services: { "analytics-aggregator": { cpuMsPerRequest: 6 } },
  firestore: { storedGibPerUser: 0.001 },
  bigquery: { rowBytes: 1024, activeMonths: 3, tibScannedPerMillionUsers: 2 },
  storage: { storedGibPerUser: 0.5 },
  redis: { tier: "BASIC", memorySizeGbPerRegion: 1 },
  monitoring: { mibPerMillionUsers: 1000 },
};

/** The small model, validated. */
export function smallModel(): UsageModel {
  return validateUsageModel(structuredClone(SMALL_MODEL_DOCUMENT), "small");
}
