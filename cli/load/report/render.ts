import { renderAsync } from "@resvg/resvg-js";
import type * as Vega from "vega";
import type * as VegaLite from "vega-lite/build/index";
import type { TopLevelSpec } from "vega-lite/build/index";
import { CHART_FONT_FAMILY, CHART_FONT_FILES, PNG_SCALE } from "./defaults";

interface VegaModules {
  readonly vega: typeof Vega;
  readonly vegaLite: typeof VegaLite;
}

let modules: Promise<VegaModules> | undefined;

/**
 * vega 6 and vega-lite 6 are ES modules, and vega-canvas uses top-level await, which Node's
 * require(esm) refuses; so they are loaded with a real dynamic import. The specifiers sit in
 * variables because TypeScript's `node` resolution cannot see vega-lite's `exports` types, and
 * so that a bundler leaves both to node_modules instead of inlining ESM it cannot turn into CJS.
 */
function loadVega(): Promise<VegaModules> {
  const specifiers: readonly string[] = ["vega", "vega-lite"];
  modules ??= Promise.all(specifiers.map((s) => import(s))).then(([vega, vegaLite]) => ({
    vega: vega as typeof Vega,
    vegaLite: vegaLite as typeof VegaLite,
  }));
  return modules;
}

/**
 * Renames every `id` in an SVG to `${prefix}-1`, `${prefix}-2`, … in order of appearance, with the
 * references to it. vega numbers clip paths from a process-wide counter, which would make the
 * output depend on what was rendered before and clash when two charts share one HTML page.
 */
function scopeSvgIds(svg: string, prefix: string): string {
  const renamed = new Map<string, string>();
  for (const [, id] of svg.matchAll(/\bid="([^"]+)"/g)) {
    if (!renamed.has(id)) renamed.set(id, `${prefix}-${renamed.size + 1}`);
  }
  return svg.replace(/\b(id="|href="#|url\(#)([^")]+)/g, (match, lead: string, id: string) =>
    renamed.has(id) ? lead + renamed.get(id) : match,
  );
}

/**
 * Compiles a vega-lite spec and renders it headless (no canvas, no DOM) to an SVG string whose
 * ids all start with `idPrefix`.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Error });
  try {
    return scopeSvgIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

/** The chart font's files inside the `dejavu-fonts-ttf` package, so no system font is needed. */
function chartFontFiles(): string[] {
  return CHART_FONT_FILES.map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));
}

/**
 * Rasterises an SVG at {@link PNG_SCALE}× with resvg, off the main thread. System fonts are not
 * loaded, so the PNG bytes are the same on every machine.
 */
export async function renderPng(svg: string): Promise<Buffer> {
  const image = await renderAsync(svg, {
    fitTo: { mode: "zoom", value: PNG_SCALE },
    background: "white",
    font: {
      loadSystemFonts: false,
      fontFiles: chartFontFiles(),
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
    },
  });
  return image.asPng();
}
