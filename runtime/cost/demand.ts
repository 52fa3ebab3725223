import { PIPELINES } from "../catalog/pipelines";
import { SERVICES } from "../catalog/services";
import { serviceSecretVariables } from "../services/container";
import { GEOGRAPHIES, GEOGRAPHY_IDS, REGIONS, type GeographyId, type RegionId } from "../topology";
import { PUBSUB_MIN_BILLED_BYTES, SECONDS_PER_MONTH } from "./defaults";
import { OPERATIONS, type Operation, type UsageModel } from "./usage";

/**
 * Derivation of monthly demand from the usage model: per region, the operations, requests and
 * instance-seconds of each service, Firestore operations, Pub/Sub bytes and BigQuery rows.
 * Quantities only; pricing them is the estimate's job.
 */

/** Requests and instance time of one Cloud Run service (or the API handlers) in one region. */
export interface ServiceDemand {
  readonly requests: number;
  /** Instance-seconds while serving: CPU time / (vCPUs × target utilization). */
  readonly instanceSeconds: number;
  readonly vcpuSeconds: number;
  readonly gibSeconds: number;
  /** Instance-seconds of minimum instances not covered by serving time. */
  readonly idleInstanceSeconds: number;
  /** Instance starts: serving instance-seconds ÷ the model's serving time per start. */
  readonly instanceStarts: number;
  /** Secret Manager accesses: each start reads every secret passed as a variable. */
  readonly secretAccesses: number;
  readonly cpu: number;
  readonly memoryGib: number;
}

/** Pub/Sub traffic of one topic in one region, as billed. */
export interface TopicDemand {
  readonly messages: number;
  /** Publish requests: messages ÷ messages per request. */
  readonly publishRequests: number;
  /** Publish bytes billed: per request, the batch's bytes but at least 1,000. */
  readonly publishBilledBytes: number;
  /** Push deliveries to the region's own subscription, each at least 1,000 bytes. */
  readonly deliveryBilledBytes: number;
  /**
   * Messages the other regions' subscriptions drop by their `region` filter: Pub/Sub
   * acknowledges them itself but still bills their delivery (at the message size: no request).
   */
  readonly filteredBilledBytes: number;
}

/** Monthly demand of one region. */
export interface RegionDemand {
  readonly region: RegionId;
  readonly gcpRegion: string;
  readonly geography: GeographyId;
  readonly users: number;
  readonly operations: Readonly<Record<Operation, number>>;
  readonly totalOperations: number;
  readonly api: ServiceDemand;
  readonly services: Readonly<Record<string, ServiceDemand>>;
  readonly firestoreReads: number;
  readonly firestoreWrites: number;
  /** Reads served by Redis instead of Firestore. */
  readonly cacheReads: number;
  readonly pubsubMessages: number;
  /** Bytes billed for publishing, push delivery and filtered deliveries, all topics. */
  readonly pubsubBilledBytes: number;
  /** The same per topic (pipeline name). */
  readonly topics: Readonly<Record<string, TopicDemand>>;
  /** Data Access audit log bytes ingested. */
  readonly auditLogBytes: number;
  /** Cloud Run request log bytes ingested. */
  readonly requestLogBytes: number;
  /** Audit log GiB held beyond 30 days in a steady month. */
  readonly auditRetainedGib: number;
  /** Media bytes served from the bucket to the internet, and from a CDN cache. */
  readonly mediaOriginBytes: number;
  readonly mediaCdnBytes: number;
  /** API response bytes to clients. */
  readonly apiEgressBytes: number;
  /** Bytes written through BigQuery subscriptions. */
  readonly bigquerySubscriptionBytes: number;
  readonly bigqueryRows: number;
  readonly storageGib: number;
  readonly firestoreStoredGib: number;
  readonly classAOperations: number;
  readonly classBOperations: number;
  readonly crossRegionGib: number;
  readonly monitoringMib: number;
  readonly bigqueryTibScanned: number;
}

function serviceDemand(
  requests: number,
  cpuSeconds: number,
  cpu: number,
  memoryGib: number,
  secretsPerStart: number,
  model: UsageModel,
): ServiceDemand {
  const instanceSeconds = cpuSeconds / (cpu * model.cloudRun.targetCpuUtilization);
  const idleInstanceSeconds = Math.max(
    0,
    model.cloudRun.minInstances * SECONDS_PER_MONTH - instanceSeconds,
  );
  const instanceStarts = model.secrets
    ? instanceSeconds / (model.secrets.servingMinutesPerInstanceStart * 60)
    : 0;
  return {
    requests,
    instanceSeconds,
    vcpuSeconds: instanceSeconds * cpu,
    gibSeconds: instanceSeconds * memoryGib,
    idleInstanceSeconds,
    instanceStarts,
    secretAccesses: instanceStarts * secretsPerStart,
    cpu,
    memoryGib,
  };
}

/** Share of a geography's users that region `index` serves (home region first). */
function regionShare(model: UsageModel, geography: GeographyId, index: number): number {
  const regions = GEOGRAPHIES[geography].regions.length;
  if (regions === 1) return 1;
  return index === 0 ? model.homeRegionShare : (1 - model.homeRegionShare) / (regions - 1);
}

function demandOf(
  model: UsageModel,
  geography: GeographyId,
  region: RegionId,
  share: number,
): RegionDemand {
  const users = model.dailyActiveUsers * model.geographies[geography] * share;
  const totalOperations = users * model.operationsPerUserPerDay * model.daysPerMonth;
  const operations = Object.fromEntries(
    OPERATIONS.map((op) => [op, totalOperations * model.operationMix[op]]),
  ) as Record<Operation, number>;
  const sumOver = (f: (op: Operation) => number): number =>
    OPERATIONS.reduce((total, op) => total + operations[op] * f(op), 0);

  const hit = model.cache.hitRatio;
  const increments = sumOver((op) => model.operations[op].counterIncrements);
  const counterReads = model.counters.sharded
    ? 0
    : increments * (1 + model.counters.contentionRetries);
  const firestoreReads =
    sumOver(
      (op) => model.operations[op].firestoreReads - model.operations[op].cacheableReads * hit,
    ) + counterReads;
  const firestoreWrites = sumOver((op) => model.operations[op].firestoreWrites) + increments;
  const cacheReads = sumOver((op) => model.operations[op].cacheableReads * hit);

  const apiCpuSeconds = sumOver((op) => model.operations[op].apiCpuMs) / 1000;
  // The API handlers stand for the report's Firebase Functions: no deployed service of the
  // plan, so no secrets of its own.
  const api = serviceDemand(
    totalOperations,
    apiCpuSeconds,
    model.api.cpu,
    model.api.memoryMiB / 1024,
    0,
    model,
  );

  const requests = new Map<string, number>();
  const add = (service: string, n: number) =>
    requests.set(service, (requests.get(service) ?? 0) + n);
  let pubsubMessages = 0;
  let pubsubBilledBytes = 0;
  let publishRequests = 0;
  let bigquerySubscriptionBytes = 0;
  let bigqueryRows = 0;
  const topics: Record<string, TopicDemand> = {};
  const batch = model.pubsub.messagesPerPublishRequest;
  const otherRegions = GEOGRAPHIES[geography].regions.length - 1;
  for (const pipeline of PIPELINES) {
    const events = model.events[pipeline.name];
    if (!events) continue;
    const messages = sumOver((op) => events.perOperation[op] ?? 0);
    const requests = messages / batch;
    const topic: TopicDemand = {
      messages,
      publishRequests: requests,
      publishBilledBytes: requests * Math.max(batch * events.bytes, PUBSUB_MIN_BILLED_BYTES),
      deliveryBilledBytes: messages * Math.max(events.bytes, PUBSUB_MIN_BILLED_BYTES),
      filteredBilledBytes: messages * events.bytes * otherRegions,
    };
    topics[pipeline.name] = topic;
    pubsubMessages += messages;
    publishRequests += requests;
    pubsubBilledBytes +=
      topic.publishBilledBytes + topic.deliveryBilledBytes + topic.filteredBilledBytes;
    add(pipeline.consumer, messages);
    if (pipeline.bigQueryTable) {
      bigquerySubscriptionBytes += messages * events.bytes;
      bigqueryRows += messages;
    }
  }
  for (const [name, spec] of Object.entries(model.services)) {
    if (spec)
      add(
        name,
        sumOver((op) => spec.requestsPerOperation[op] ?? 0),
      );
  }
  const services: Record<string, ServiceDemand> = {};
  for (const service of SERVICES) {
    const spec = model.services[service.name];
    if (!spec) continue;
    const n = requests.get(service.name) ?? 0;
    services[service.name] = serviceDemand(
      n,
      (n * spec.cpuMsPerRequest) / 1000,
      service.cpu,
      service.memoryMiB / 1024,
      serviceSecretVariables(service).length,
      model,
    );
  }

  const cloudRunRequests =
    totalOperations + Object.values(services).reduce((t, sd) => t + sd.requests, 0);
  const auditLogBytes =
    (totalOperations * model.logging.auditEntriesPerOperation + publishRequests) *
    model.logging.bytesPerAuditEntry;
  const mediaBytes =
    sumOver((op) => model.operations[op].mediaReads) * model.egress.bytesPerMediaRead;

  return {
    region,
    gcpRegion: REGIONS[region].gcpRegion,
    geography,
    users,
    operations,
    totalOperations,
    api,
    services,
    firestoreReads,
    firestoreWrites,
    cacheReads,
    pubsubMessages,
    pubsubBilledBytes,
    topics,
    auditLogBytes,
    requestLogBytes: cloudRunRequests * model.logging.requestLogBytes,
    auditRetainedGib:
      ((auditLogBytes / 2 ** 30) * Math.max(0, model.logging.auditRetentionDays - 30)) / 30,
    mediaOriginBytes: mediaBytes * (1 - model.egress.cdnShare),
    mediaCdnBytes: mediaBytes * model.egress.cdnShare,
    apiEgressBytes: totalOperations * model.egress.apiResponseBytes,
    bigquerySubscriptionBytes,
    bigqueryRows,
    storageGib: users * model.storage.storedGibPerUser,
    firestoreStoredGib: users * model.firestore.storedGibPerUser,
    classAOperations: sumOver((op) => model.operations[op].mediaWrites),
    classBOperations: sumOver((op) => model.operations[op].mediaReads),
    crossRegionGib: sumOver((op) => model.operations[op].crossRegionKib) / 2 ** 20,
    monitoringMib: (users / 1e6) * model.monitoring.mibPerMillionUsers,
    bigqueryTibScanned: (users / 1e6) * model.bigquery.tibScannedPerMillionUsers,
  };
}

/** Monthly demand per region, for one geography or (by default) all of them. */
export function deriveDemand(model: UsageModel, geography?: GeographyId): RegionDemand[] {
  const geographies = geography ? [geography] : [...GEOGRAPHY_IDS];
  return geographies.flatMap((g) =>
    GEOGRAPHIES[g].regions.map((region, i) => demandOf(model, g, region, regionShare(model, g, i))),
  );
}
