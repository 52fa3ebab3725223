import { ProductionTargetError } from "./errors";

/**
 * The production guard: a load test refuses a target whose URL or project id looks like
 * production, unless the caller says it knows (`--i-know-this-is-production`). "Looks like":
 * the URL or project contains `prod` as a word part (prod, production, avalo-prod-1, prod.example),
 * or the project id is the `gcp:project` of a stack whose `avalo:environment` is `prod`.
 */
export interface GuardInput {
  /** Target URLs (base URL or per-service URLs). */
  readonly urls: readonly string[];
  readonly projectId?: string;
  /** Project ids of production stacks (from Pulumi.<stack>.yaml). */
  readonly productionProjects: ReadonlyArray<{ readonly stack: string; readonly project: string }>;
  /** The override was given. */
  readonly allowProduction: boolean;
  /** The override's name, for the message. @default "--i-know-this-is-production" */
  readonly overrideName?: string;
}

const PROD_WORD = /(^|[^a-z])prod(uction)?([^a-z]|$)/i;

/** Why the input looks like production, or undefined when it does not. */
export function productionReason(input: Omit<GuardInput, "allowProduction">): string | undefined {
  for (const url of input.urls) {
    let host = url;
    let path = "";
    try {
      const parsed = new URL(url.replace(/\{service\}/g, "service"));
      host = parsed.hostname;
      path = parsed.pathname;
    } catch {
      // Not a URL: check the text as given.
    }
    if (PROD_WORD.test(host) || PROD_WORD.test(path)) {
      return `URL ${url} contains "prod"`;
    }
  }
  const project = input.projectId;
  if (project) {
    if (PROD_WORD.test(project)) return `project id "${project}" contains "prod"`;
    const stack = input.productionProjects.find((p) => p.project === project);
    if (stack) {
      return `project id "${project}" is the gcp:project of stack ${stack.stack}, whose avalo:environment is prod`;
    }
  }
  for (const { stack, project: prodProject } of input.productionProjects) {
    if (input.urls.some((u) => u.includes(prodProject))) {
      return `URL contains "${prodProject}", the gcp:project of stack ${stack}, whose avalo:environment is prod`;
    }
  }
  return undefined;
}

/** Throws ProductionTargetError when the target looks like production and no override was given. */
export function assertNotProduction(input: GuardInput): void {
  if (input.allowProduction) return;
  const reason = productionReason(input);
  if (reason) {
    throw new ProductionTargetError(reason, input.overrideName ?? "--i-know-this-is-production");
  }
}
