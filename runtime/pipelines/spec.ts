import type { z } from "zod";
import { getPipeline, type PipelineName, type PipelineSpec } from "../catalog/pipelines";

/**
 * The catalog entry of a pipeline, typed by its name and the schema its handler expects. The
 * handler states the schema it was written for and this checks, at load time, that the catalog
 * attaches exactly that schema to the pipeline.
 */
export function pipelineSpec<const N extends PipelineName, S extends z.ZodType>(
  name: N,
  schema: S,
): PipelineSpec<S> & { readonly name: N } {
  const spec = getPipeline(name);
  if ((spec.schema as z.ZodType) !== schema) {
    throw new Error(
      `pipeline "${name}": the catalog attaches a different event schema than its handler expects`,
    );
  }
  return spec as unknown as PipelineSpec<S> & { readonly name: N };
}
