/** The part of autocannon 9's API the service benchmarks use (the package ships no types). */
declare module "autocannon" {
  function autocannon(
    options: autocannon.Options,
    done: (err: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance;

  namespace autocannon {
    interface Histogram {
      readonly average: number;
      readonly p50: number;
      readonly p99: number;
      readonly max: number;
    }
    interface Result {
      readonly requests: Histogram & { readonly total: number };
      readonly latency: Histogram;
      readonly errors: number;
      readonly timeouts: number;
      readonly non2xx: number;
    }
    interface RequestSpec {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      setupRequest?: (req: RequestSpec, context: Record<string, unknown>) => RequestSpec;
    }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      requests?: RequestSpec[];
    }
    interface Instance {
      on(
        event: "response",
        listener: (
          client: unknown,
          statusCode: number,
          resBytes: number,
          responseTimeMs: number,
        ) => void,
      ): Instance;
    }
  }

  export = autocannon;
}
