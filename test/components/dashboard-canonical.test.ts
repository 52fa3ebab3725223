import { expect } from "chai";
import { canonicalDashboard, type JsonObject } from "../../components/dashboard-canonical";

const FILTER = 'metric.type="agent.googleapis.com/nginx/connections/accepted_count"';

describe("canonicalDashboard", () => {
  it("turns a recorded create request into the recorded response (without name and etag)", () => {
    // Shape of the POST body and 200 response in k8s-config-connector's recorded
    // monitoringdashboardfull/_http.log: the API added targetAxis and nothing else.
    const request: JsonObject = {
      displayName: "monitoringdashboard-full",
      columnLayout: {
        columns: [
          {
            weight: "2",
            widgets: [
              {
                title: "Widget 1",
                xyChart: {
                  dataSets: [
                    {
                      plotType: "LINE",
                      timeSeriesQuery: {
                        timeSeriesFilter: {
                          aggregation: { perSeriesAligner: "ALIGN_RATE" },
                          filter: FILTER,
                        },
                        unitOverride: "1",
                      },
                    },
                  ],
                  timeshiftDuration: "600.500s",
                  yAxis: { label: "y1Axis", scale: "LINEAR" },
                },
              },
            ],
          },
        ],
      },
    };
    const response =
      '{"columnLayout":{"columns":[{"weight":"2","widgets":[{"title":"Widget 1","xyChart":{"dataSets":[' +
      '{"plotType":"LINE","targetAxis":"Y1","timeSeriesQuery":{"timeSeriesFilter":{"aggregation":' +
      `{"perSeriesAligner":"ALIGN_RATE"},"filter":${JSON.stringify(FILTER)}},"unitOverride":"1"}}],` +
      '"timeshiftDuration":"600.500s","yAxis":{"label":"y1Axis","scale":"LINEAR"}}}]}]},' +
      '"displayName":"monitoringdashboard-full"}';
    expect(JSON.stringify(canonicalDashboard(request))).to.equal(response);
  });

  it("drops the members proto3 JSON leaves out: empty arrays and objects, zero, false, empty string, enum zero values", () => {
    const tile = {
      xPos: 0,
      yPos: 0,
      width: 24,
      height: 16,
      widget: {
        title: "",
        xyChart: {
          chartOptions: { mode: "MODE_UNSPECIFIED", displayHorizontal: false },
          thresholds: [],
          dataSets: [
            {
              plotType: "LINE",
              targetAxis: "Y1",
              breakdowns: [],
              dimensions: [],
              measures: [],
              legendTemplate: null,
              timeSeriesQuery: {
                timeSeriesFilter: {
                  filter: FILTER,
                  aggregation: {
                    alignmentPeriod: "60s",
                    perSeriesAligner: "ALIGN_NONE",
                    crossSeriesReducer: "REDUCE_NONE",
                    groupByFields: [],
                  },
                },
              },
            },
          ],
        },
      },
    };
    expect(canonicalDashboard({ mosaicLayout: { columns: 48, tiles: [tile] } })).to.deep.equal({
      mosaicLayout: {
        columns: 48,
        tiles: [
          {
            height: 16,
            widget: {
              xyChart: {
                dataSets: [
                  {
                    plotType: "LINE",
                    targetAxis: "Y1",
                    timeSeriesQuery: {
                      timeSeriesFilter: { aggregation: { alignmentPeriod: "60s" }, filter: FILTER },
                    },
                  },
                ],
              },
            },
            width: 24,
          },
        ],
      },
    });
  });

  it("keeps array elements as they are, even empty or zero ones", () => {
    const result = canonicalDashboard({
      gridLayout: { columns: "2", widgets: [{ text: { content: "a" } }, {}] },
      labels: { team: "platform" },
      dashboardFilters: [{ labelKey: "zone", stringValue: "" }],
      other: [0, "", false],
    });
    expect(result).to.deep.equal({
      dashboardFilters: [{ labelKey: "zone" }],
      gridLayout: { columns: "2", widgets: [{ text: { content: "a" } }, {}] },
      labels: { team: "platform" },
      other: [0, "", false],
    });
  });

  it("adds targetAxis Y1 to xyChart data sets only, and keeps an explicit Y2", () => {
    const dataSet = (extra: JsonObject) => ({
      plotType: "LINE",
      timeSeriesQuery: { timeSeriesFilter: { filter: FILTER } },
      ...extra,
    });
    const result = canonicalDashboard({
      gridLayout: {
        widgets: [
          {
            xyChart: {
              dataSets: [
                dataSet({}),
                dataSet({ targetAxis: "TARGET_AXIS_UNSPECIFIED" }),
                dataSet({ targetAxis: "Y2" }),
              ],
            },
          },
          {
            pieChart: {
              chartType: "DONUT",
              dataSets: [{ timeSeriesQuery: { timeSeriesFilter: { filter: FILTER } } }],
            },
          },
        ],
      },
    }) as { gridLayout: { widgets: JsonObject[] } };
    const [xy, pie] = result.gridLayout.widgets as {
      xyChart?: { dataSets: { targetAxis?: string }[] };
      pieChart?: { dataSets: { targetAxis?: string }[] };
    }[];
    expect(xy.xyChart?.dataSets.map((d) => d.targetAxis)).to.deep.equal(["Y1", "Y1", "Y2"]);
    expect(pie.pieChart?.dataSets[0]).to.not.have.property("targetAxis");
  });

  it("gives a set y axis a LINEAR scale and adds no axis to a chart without one", () => {
    const chart = (xyChart: JsonObject) =>
      (
        canonicalDashboard({ gridLayout: { widgets: [{ xyChart }] } }) as {
          gridLayout: { widgets: { xyChart: JsonObject }[] };
        }
      ).gridLayout.widgets[0].xyChart;
    const dataSets = [
      {
        plotType: "LINE",
        targetAxis: "Y1",
        timeSeriesQuery: { timeSeriesFilter: { filter: FILTER } },
      },
    ];
    expect(chart({ dataSets, yAxis: { label: "ms" } }).yAxis).to.deep.equal({
      label: "ms",
      scale: "LINEAR",
    });
    expect(chart({ dataSets, yAxis: { scale: "LOG10" } }).yAxis).to.deep.equal({ scale: "LOG10" });
    expect(chart({ dataSets })).to.have.all.keys("dataSets");
  });

  it("writes durations with 0, 3, 6 or 9 decimals and keeps a zero duration", () => {
    const aggregation = (alignmentPeriod: string) =>
      (
        canonicalDashboard({ a: { aggregation: { alignmentPeriod } } }) as {
          a: { aggregation: { alignmentPeriod: string } };
        }
      ).a.aggregation.alignmentPeriod;
    expect(aggregation("60s")).to.equal("60s");
    expect(aggregation("60.000s")).to.equal("60s");
    expect(aggregation("1.5s")).to.equal("1.500s");
    expect(aggregation("0.0001s")).to.equal("0.000100s");
    expect(aggregation("0s")).to.equal("0s");
  });

  it("orders keys by code unit and is a fixed point of itself", () => {
    const once = canonicalDashboard({
      yPos: 16,
      xPos: 24,
      widget: { title: "t" },
      width: 24,
      height: 16,
    });
    expect(Object.keys(once)).to.deep.equal(["height", "widget", "width", "xPos", "yPos"]);
    expect(JSON.stringify(canonicalDashboard(once))).to.equal(JSON.stringify(once));
  });
});
