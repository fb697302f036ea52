import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { RolloutStrategy } from "../../lib";
import { endpointFixture, manifestsOfKind } from "../lib/endpoint/fixture";
import { synthJson } from "../support/synth";
import { describeIf, freePort, runs, waitForPort, waitUntil } from "../support/tools";

/**
 * Issue 17, against a real Prometheus (Debian's `prometheus`, installed by .ci/run): a tiny
 * HTTP exporter serves the endpoint's metrics contract (and a dcgm-exporter's GPU series);
 * Prometheus scrapes it with the labels prometheus-operator gives an endpoint's targets
 * (namespace, service, pod, the copied pod-template hash) and, for dcgm-exporter, its own pod
 * labels (so the GPU's pod labels become exported_namespace / exported_pod, as in the
 * cluster). Every query the library hands to KEDA (ScaledObject triggers) and to Argo
 * Rollouts (AnalysisTemplate metrics) then returns data through the HTTP API.
 */
const HASH = "6f9c8d7b5";
const GPU_POOLS = [
  { name: "general", instanceTypes: ["g6.xlarge"], gpuModel: "L4", gpusPerNode: 1, nodeSelector: { "ml-platform/pool": "general" }, maxNodes: 4, efaInterfacesPerNode: 0 },
];

describeIf(runs("prometheus") ? [] : ["prometheus is not on the PATH (apt-get install prometheus)"], "endpoint delivery queries against a real Prometheus", () => {
  const f = endpointFixture({ tier: "staging", gpuPools: GPU_POOLS });
  f.endpoint("fraud", {
    gpu: {},
    metrics: { gauges: ["model_inflight_requests", "model_auc"] },
    autoscaling: { demand: { requestsPerSecond: 20, gauge: { metric: "model_inflight_requests", targetPerReplica: 4 }, gpuUtilization: 70 } },
    rollout: { strategy: RolloutStrategy.canary([{ weight: 20 }, { pause: "5m" }, { weight: 100 }]), analysis: { quality: { metric: "model_auc", min: 0.7 } } },
  });
  const json = synthJson(f.platform);
  const queries: [string, string][] = [
    ...manifestsOfKind(json, "ScaledObject")[0]
      .spec.triggers.filter((t: any) => t.type === "prometheus")
      .map((t: any) => [`ScaledObject trigger ${t.name}`, t.metadata.query]),
    ...manifestsOfKind(json, "AnalysisTemplate").flatMap((t: any) =>
      t.spec.metrics
        .filter((m: any) => m.provider.prometheus)
        // Argo Rollouts substitutes {{args.canary-hash}} with the new ReplicaSet's pod-template hash.
        .map((m: any) => [`AnalysisTemplate ${t.metadata.name} metric ${m.name}`, m.provider.prometheus.query.replaceAll("{{args.canary-hash}}", HASH)]),
    ),
  ];

  let exporter: http.Server;
  let prometheus: ChildProcess;
  let promPort: number;
  let dir: string;
  let scrapes = 0;

  beforeAll(async () => {
    // The model server: requests and latency grow with every scrape (traffic), 1 request in 20 fails.
    exporter = http.createServer((req, res) => {
      scrapes++;
      const n = scrapes * 100;
      const lines =
        req.url === "/dcgm"
          ? [`DCGM_FI_DEV_GPU_UTIL{gpu="0",namespace="serving",pod="fraud-${HASH}-abcde",container="server"} 55`]
          : [
              "# TYPE model_requests_total counter",
              `model_requests_total{code="200"} ${n * 19}`,
              `model_requests_total{code="500"} ${n}`,
              "# TYPE model_request_duration_seconds histogram",
              `model_request_duration_seconds_bucket{le="0.1"} ${n * 10}`,
              `model_request_duration_seconds_bucket{le="0.5"} ${n * 19}`,
              `model_request_duration_seconds_bucket{le="+Inf"} ${n * 20}`,
              `model_request_duration_seconds_sum ${n * 3}`,
              `model_request_duration_seconds_count ${n * 20}`,
              "# TYPE model_inflight_requests gauge",
              "model_inflight_requests 3",
              "# TYPE model_auc gauge",
              "model_auc 0.83",
            ];
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
      res.end(`${lines.join("\n")}\n`);
    });
    const exporterPort = await freePort();
    await new Promise<void>((resolve) => exporter.listen(exporterPort, "127.0.0.1", resolve));

    dir = fs.mkdtempSync(path.join(os.tmpdir(), "prom-delivery-"));
    const target = `127.0.0.1:${exporterPort}`;
    fs.writeFileSync(
      path.join(dir, "prometheus.yml"),
      stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        scrape_configs: [
          // The labels prometheus-operator gives an endpoint's target (ServiceMonitor with podTargetLabels).
          {
            job_name: "fraud-metrics",
            static_configs: [{ targets: [target], labels: { namespace: "serving", service: "fraud-metrics", pod: `fraud-${HASH}-abcde`, rollouts_pod_template_hash: HASH } }],
          },
          // dcgm-exporter's own target labels; the library's ServiceMonitor does not honour labels.
          {
            job_name: "dcgm-exporter",
            metrics_path: "/dcgm",
            honor_labels: false,
            static_configs: [{ targets: [target], labels: { namespace: "kube-system", service: "dcgm-exporter", pod: "dcgm-exporter-x1" } }],
          },
        ],
      }),
    );
    promPort = await freePort();
    prometheus = spawn(
      "prometheus",
      [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${promPort}`],
      { stdio: "ignore" },
    );
    await waitForPort(promPort, 30000);
    // rate() over [2m] needs two samples of each series.
    await waitUntil("two scrapes of the exporter", async () => (await query('count(count_over_time(model_requests_total{job="fraud-metrics"}[2m]) >= 3)')).length > 0, 60000);
  }, 90000);

  afterAll(async () => {
    prometheus?.kill("SIGTERM");
    await new Promise<void>((resolve) => (exporter ? exporter.close(() => resolve()) : resolve()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function query(expr: string): Promise<any[]> {
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`, (res) => {
          let data = "";
          res.on("data", (c) => (data += c));
          res.on("end", () => resolve(data));
        })
        .on("error", reject);
    });
    const parsed = JSON.parse(body);
    if (parsed.status !== "success") throw new Error(`${expr}: ${body}`);
    return parsed.data.result;
  }

  test("the generated queries are the triggers and analysis metrics of the endpoint", () => {
    expect(queries.map(([where]) => where)).toEqual([
      "ScaledObject trigger requests-per-second",
      "ScaledObject trigger gauge",
      "ScaledObject trigger gpu-utilization",
      "AnalysisTemplate fraud-slo metric error-ratio",
      "AnalysisTemplate fraud-slo metric latency-p95",
      "AnalysisTemplate fraud-slo metric model-quality",
    ]);
  });

  test("each query returns one sample through Prometheus's HTTP API, with the value the controller compares", async () => {
    const values: Record<string, number> = {};
    for (const [where, expr] of queries) {
      const result = await query(expr);
      expect({ where, samples: result.length }).toEqual({ where, samples: 1 });
      values[where] = Number(result[0].value[1]);
    }
    expect(values["ScaledObject trigger requests-per-second"]).toBeGreaterThan(0);
    expect(values["ScaledObject trigger gauge"]).toBe(3);
    expect(values["ScaledObject trigger gpu-utilization"]).toBe(55);
    expect(values["AnalysisTemplate fraud-slo metric error-ratio"]).toBeCloseTo(0.05, 5);
    expect(values["AnalysisTemplate fraud-slo metric latency-p95"]).toBeGreaterThan(0.1);
    expect(values["AnalysisTemplate fraud-slo metric latency-p95"]).toBeLessThanOrEqual(0.5);
    expect(values["AnalysisTemplate fraud-slo metric model-quality"]).toBe(0.83);
  });

  test("a query on the old version's hash, or on the GPU of another namespace, returns nothing (the selectors bite)", async () => {
    const errorRatio = queries.find(([w]) => w.endsWith("error-ratio"))![1].replaceAll(HASH, "0000000");
    expect(await query(errorRatio)).toEqual([]);
    const gpu = queries.find(([w]) => w.endsWith("gpu-utilization"))![1].replaceAll('"serving"', '"other"');
    expect(await query(gpu)).toEqual([]);
    // Without the exported_* alternative (dcgm-exporter's pod labels renamed, its ServiceMonitor not honouring labels) the GPU trigger would read nothing.
    expect(await query('avg(DCGM_FI_DEV_GPU_UTIL{namespace="serving",pod=~"fraud-.*"})')).toEqual([]);
  });
});
