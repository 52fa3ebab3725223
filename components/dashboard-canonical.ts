/** A JSON value, as `JSON.parse` returns it. */
export type Json = null | boolean | number | string | readonly Json[] | JsonObject;
/** A JSON object. */
export interface JsonObject {
  readonly [key: string]: Json;
}

/**
 * Defaults the Monitoring API writes into a stored dashboard, by where they apply: `at` is the
 * tail of the object's path (keys joined by `.`, `[]` for an array element).
 */
const SERVER_DEFAULTS: readonly { at: string; field: string; value: Json }[] = [
  // Recorded: a data set sent without `targetAxis` comes back with `targetAxis: "Y1"`.
  { at: "xyChart.dataSets[]", field: "targetAxis", value: "Y1" },
  // An axis sent without `scale` is stored as LINEAR (the KCC mock's server-side defaulter).
  { at: "xyChart.yAxis", field: "scale", value: "LINEAR" },
];

/** Dashboard fields of type google.protobuf.Duration (canonical text: 0, 3, 6 or 9 decimals). */
const DURATIONS = new Set(["alignmentPeriod", "minAlignmentPeriod", "timeshiftDuration"]);
const DURATION = /^(\d+)(?:\.(\d{1,9}))?s$/;
/** Enum zero values: proto3 JSON leaves a field out when it holds one. */
const ZERO_ENUM = /(^|_)UNSPECIFIED$|^(REDUCE|ALIGN)_NONE$/;

function canonicalDuration(text: string): string {
  const match = DURATION.exec(text);
  if (!match) return text;
  const nanos = (match[2] ?? "").padEnd(9, "0").replace(/(000)+$/, "");
  return `${Number(match[1])}${nanos ? `.${nanos}` : ""}s`;
}

/** True for what proto3 JSON never writes for a singular field: its zero value, or nothing. */
function isOmitted(value: Json): boolean {
  if (value === null || value === "" || value === 0 || value === false) return true;
  if (typeof value === "string") return ZERO_ENUM.test(value);
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

function canonical(value: Json, path: string, key: string): Json {
  if (typeof value === "string") return DURATIONS.has(key) ? canonicalDuration(value) : value;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    // Elements of a repeated field are always written, even empty or zero ones.
    return (value as readonly Json[]).map((item) => canonical(item, `${path}[]`, key));
  }
  const object = value as JsonObject;
  const withDefaults: Record<string, Json> = { ...object };
  for (const d of SERVER_DEFAULTS) {
    if ((path === d.at || path.endsWith(`.${d.at}`)) && isOmitted(withDefaults[d.field] ?? null)) {
      withDefaults[d.field] = d.value;
    }
  }
  const result: Record<string, Json> = {};
  for (const k of Object.keys(withDefaults).sort()) {
    const v = canonical(withDefaults[k], path ? `${path}.${k}` : k, k);
    if (!isOmitted(v)) result[k] = v;
  }
  return result;
}

/**
 * A Cloud Monitoring dashboard (v1 `Dashboard` JSON) in the form the API returns it, which is
 * the form the provider stores after `create` and reads back on every refresh. Sending exactly
 * this form is what keeps `dashboardJson` from diffing on every preview: the provider's diff
 * (`monitoringDashboardDiffSuppress`) only forgives keys the API adds, never keys it drops, so
 * an empty array or a zero `xPos` we send is a permanent diff
 * (hashicorp/terraform-provider-google#16173, #7242; its proposed fixes, magic-modules #16878,
 * #17392, #18515, were not merged).
 *
 * What it does, and where that was established:
 * - Drops every object member holding a proto3 default: `[]`, `{}`, `""`, `0`, `false`, `null`,
 *   and enum zero values (`*_UNSPECIFIED`, `REDUCE_NONE`, `ALIGN_NONE`). Proto3 JSON omits
 *   default-valued fields (protobuf JSON mapping; protojson `EmitDefaultValues` lists exactly
 *   these), and the API does: recorded responses in GoogleCloudPlatform/k8s-config-connector
 *   (`monitoringdashboardmosaiclayout/_http.log`) leave out `xPos`/`yPos` of 0, and
 *   terraform-provider-google#26766 / GoogleCloudPlatform/terraform-splunk-log-export#22
 *   report `[]`, `""`, `xPos: 0` and `ALIGN_NONE` disappearing. This is stricter than the API
 *   for one case it keeps, a message field set to `{}` (e.g. `singleViewGroup: {}`), so never
 *   build one. Array elements are kept as they are.
 * - Adds the defaults the API writes (`SERVER_DEFAULTS`): `xyChart.dataSets[].targetAxis: "Y1"`
 *   (recorded in k8s-config-connector `monitoringdashboardbasic/_http.log` and
 *   `monitoringdashboardfull/_http.log`; the permadiff of terraform-provider-google#9976;
 *   `TargetAxis.TARGET_AXIS_UNSPECIFIED` "Defaults to Y1"), and `yAxis.scale: "LINEAR"` when an
 *   axis is set (k8s-config-connector `mockgcp/mockmonitoring/dashboard.go`). The same
 *   recordings show the API adding nothing else to an xyChart: no `minAlignmentPeriod`, no
 *   `chartOptions`, no `alignmentPeriod`.
 * - Writes durations with 0, 3, 6 or 9 decimals (`60s`, `600.500s`), as proto3 JSON does.
 * - Orders keys by code unit, as the recorded responses and the provider's normalised state do.
 *
 * It leaves alone the output-only `name` and `etag`, which the API adds and the provider's diff
 * ignores. Pure and idempotent: applying it to its own result returns an equal value.
 */
export function canonicalDashboard(dashboard: JsonObject): JsonObject {
  return canonical(dashboard, "", "") as JsonObject;
}
