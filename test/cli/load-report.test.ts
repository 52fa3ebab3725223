import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { LoadReportInputError, writeLoadReport, type LoadReportInput } from "../../cli/load/report";
import { CHART_HEIGHT_PX, CHART_WIDTH_PX, PNG_SCALE } from "../../cli/load/report/defaults";
import { renderPng } from "../../cli/load/report/render";
import { p95LimitMs } from "../../cli/load/report/specs";

const EVIL_OP = `<script>alert("x")</script>`;

function timelineRow(second: number, op: string, count: number, errors: number, p50Ms: number) {
  return { second, op, count, errors, p50Ms, p95Ms: p50Ms * 3, p99Ms: p50Ms * 5 };
}

const INPUT: LoadReportInput = {
  title: `Load run <local> & "friends"`,
  summary: [
    { label: "target", value: "local" },
    { label: "ops/s", value: "1,812.5" },
  ],
  operations: [
    {
      op: "feed",
      count: 1234567,
      errors: 12,
      p50Ms: 0.42,
      p95Ms: 12.34,
      p99Ms: 87.6,
      maxMs: 512.4,
    },
    { op: EVIL_OP, count: 10, errors: 0, p50Ms: 3, p95Ms: 7, p99Ms: 9, maxMs: 11 },
  ],
  timeline: Array.from({ length: 10 }, (_, s) => [
    timelineRow(s, "feed", 100 + s, s === 4 ? 3 : 0, 2 + s / 10),
    timelineRow(s, EVIL_OP, 20, 0, 5),
  ]).flat(),
  thresholds: [
    { name: "P95 latency", limit: "< 500 ms", actual: "12.3 ms", passed: true },
    { name: "throughput", limit: "≥ 10,000 ops/s", actual: "1,812 ops/s", passed: false },
  ],
};

function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe("load report (writeLoadReport)", () => {
  let dir: string;
  let html: string;
  let written: { html: string; pngs: string[] };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "load-report-"));
    written = await writeLoadReport(INPUT, join(dir, "a"));
    html = readFileSync(written.html, "utf8");
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("resolves to report.html, latency.png and throughput.png inside the directory", () => {
    expect(written).to.deep.equal({
      html: join(dir, "a", "report.html"),
      pngs: [join(dir, "a", "latency.png"), join(dir, "a", "throughput.png")],
    });
  });

  it("shows the title, the summary and the per-operation percentiles", () => {
    expect(html).to.contain("<h1>Load run &lt;local&gt; &amp; &quot;friends&quot;</h1>");
    expect(html).to.contain("<tr><td><strong>ops/s</strong></td><td>1,812.5</td></tr>");
    expect(html).to.contain(
      "<tr><td>feed</td><td>1,234,567</td><td>12</td><td>0.00%</td><td>0.42</td><td>12.3</td><td>87.6</td><td>512</td></tr>",
    );
  });

  it("shows every threshold with PASS or FAIL and the overall verdict", () => {
    expect(html).to.contain('<p class="verdict fail">1 of 2 thresholds missed.</p>');
    expect(html).to.contain(
      '<tr><td>P95 latency</td><td>&lt; 500 ms</td><td>12.3 ms</td><td><span class="pass">PASS</span></td></tr>',
    );
    expect(html).to.contain(
      '<tr><td>throughput</td><td>≥ 10,000 ops/s</td><td>1,812 ops/s</td><td><span class="fail">FAIL</span></td></tr>',
    );
  });

  it("inlines both charts as SVG and loads nothing from the network", () => {
    expect(html.match(/<svg /g)).to.have.length(2);
    expect(html).to.match(/<figure id="latency-chart">\n<svg [^>]*width="880" height="340"/);
    expect(html).to.match(/<figure id="throughput-chart">\n<svg [^>]*width="880" height="340"/);
    expect(html).to.contain(">Latency per second</text>");
    expect(html).to.contain(">Throughput per second</text>");
    expect(html).to.contain(">P95 limit 500 ms</text>");
    expect(html).not.to.match(/<script[^>]+src=|<link |@import/);
  });

  it("embeds the vega-lite specs with the timeline and the P95 rule as JSON", () => {
    const json = /<script type="application\/json" id="vega-lite-specs">\n([^]*?)\n<\/script>/.exec(
      html,
    );
    expect(json).to.not.equal(null);
    const specs = JSON.parse(json![1]) as {
      latency: { layer: { data: { values: unknown[] }; mark: { type: string } }[] };
      throughput: { layer: unknown[] };
    };
    expect(specs.latency.layer.map((l) => l.mark.type)).to.deep.equal(["line", "rule", "text"]);
    expect(specs.latency.layer[0].data.values).to.deep.equal(INPUT.timeline);
    expect(specs.latency.layer[1].data.values).to.deep.equal([
      { ms: 500, label: "P95 limit 500 ms" },
    ]);
    expect(specs.throughput.layer).to.have.length(2);
  });

  it("escapes input text everywhere, including an operation named <script>", () => {
    expect(html).not.to.contain("<script>alert");
    expect(html.match(/<script/g)).to.have.length(1);
    expect(html).to.contain("<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</td>");
    expect(html).to.contain("\\u003cscript\\u003ealert");
  });

  it("writes PNGs of both charts at 2x the chart size", () => {
    for (const path of written.pngs) {
      const png = readFileSync(path);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE), path).to.equal(true);
      expect(png.toString("latin1", 12, 16)).to.equal("IHDR");
      expect(pngSize(png)).to.deep.equal({
        width: CHART_WIDTH_PX * PNG_SCALE,
        height: CHART_HEIGHT_PX * PNG_SCALE,
      });
    }
    expect(pngSize(readFileSync(written.pngs[0]))).to.deep.equal({ width: 1760, height: 680 });
  });

  it("writes byte-identical files for the same input", async () => {
    const again = await writeLoadReport(INPUT, join(dir, "b"));
    expect(readFileSync(again.html, "utf8")).to.equal(html);
    for (const [i, path] of again.pngs.entries()) {
      expect(readFileSync(path).equals(readFileSync(written.pngs[i])), path).to.equal(true);
    }
  });

  it("draws text with the font shipped in node_modules, without system fonts", async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20">' +
      '<text x="2" y="15" font-family="DejaVu Sans" font-size="14" fill="#000">p95</text></svg>';
    const { data } = await sharp(await renderPng(svg))
      .greyscale()
      .raw()
      .toBuffer({
        resolveWithObject: true,
      });
    const dark = data.filter((v) => v < 128).length;
    expect(dark).to.be.greaterThan(50);
  });

  it("refuses an empty timeline, naming `timeline`", async () => {
    const empty = { ...INPUT, timeline: [] };
    let error: unknown;
    await writeLoadReport(empty, join(dir, "empty")).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(LoadReportInputError);
    expect((error as LoadReportInputError).field).to.equal("timeline");
    expect((error as Error).message).to.equal(
      "load report: `timeline` is empty: the charts need at least one per-second sample ({ second, op, count, errors, p50Ms, p95Ms, p99Ms })",
    );
  });

  it("names the field and value of a bad timeline sample", async () => {
    const timeline = [...INPUT.timeline];
    timeline[3] = { ...timeline[3], p95Ms: Number.NaN };
    let error: unknown;
    await writeLoadReport({ ...INPUT, timeline }, join(dir, "bad")).catch(
      (e: unknown) => (error = e),
    );
    expect((error as Error).message).to.equal(
      "load report: `timeline[3].p95Ms` must be a finite number ≥ 0, but NaN was provided",
    );
  });
});

describe("load report P95 limit", () => {
  const threshold = (name: string, limit: string) => ({ name, limit, actual: "", passed: true });

  it("reads the P95 threshold's limit in ms or s", () => {
    expect(p95LimitMs([threshold("p95", "< 500 ms")])).to.equal(500);
    expect(p95LimitMs([threshold("P95 latency", "<0.25s")])).to.equal(250);
    expect(p95LimitMs([threshold("error rate", "< 0.1%"), threshold("P 95", "750")])).to.equal(750);
  });

  it("draws no limit rule when no threshold is about P95", () => {
    expect(p95LimitMs([threshold("p99", "< 900 ms")])).to.equal(undefined);
  });
});
