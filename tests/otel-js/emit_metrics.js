// Records metrics through the real OpenTelemetry JavaScript metrics SDK and
// exports them once through one of its OTLP metric exporters, then shuts
// down. Driven by tests/test_otlp_metrics.py.
//
//   node emit_metrics.js --transport http-proto|http-json|grpc --endpoint URL --run-id ID
//
// Instruments (meter "sluice-test" 0.2.0), all with cumulative temporality:
//   counter        http.requests {request}: +1 three times {http.request.method=GET, http.route=/a},
//                  +2 once {http.request.method=POST, http.route=/b}
//   up-down counter queue.items {item}: +5, -2
//   histogram      http.server.duration ms, bounds 10 100 1000: 5 50 50 500 5000
//                  {http.route=/a}
//   observable gauge process.memory.usage By: 1024 {memory.type=heap}
// Resource: service.name "otel-js-<transport>", service.instance.id
// "instance-<transport>", service.version, test.run_id. Prints
// {"exported": N, "errors": [...]} and exits 1 when an export failed.
'use strict';

const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { resourceFromAttributes } = require('@opentelemetry/resources');

function args() {
  const out = { transport: '', endpoint: '', runId: '' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (key === 'transport') out.transport = value;
    else if (key === 'endpoint') out.endpoint = value;
    else if (key === 'run-id') out.runId = value;
    else throw new Error(`unknown option --${key}`);
  }
  return out;
}

function makeExporter(transport, url) {
  const config = { url, timeoutMillis: 20000 };
  if (transport === 'http-proto') {
    return new (require('@opentelemetry/exporter-metrics-otlp-proto').OTLPMetricExporter)(config);
  }
  if (transport === 'http-json') {
    return new (require('@opentelemetry/exporter-metrics-otlp-http').OTLPMetricExporter)(config);
  }
  if (transport === 'grpc') {
    return new (require('@opentelemetry/exporter-metrics-otlp-grpc').OTLPMetricExporter)(config);
  }
  throw new Error(`unknown transport ${transport}`);
}

/// Wraps an exporter to remember failed exports (the SDK only logs them).
function counting(exporter, stats) {
  return {
    export(metrics, done) {
      exporter.export(metrics, (result) => {
        if (result.code === 0) stats.exported += 1;
        else stats.errors.push(String(result.error));
        done(result);
      });
    },
    selectAggregationTemporality: (kind) => exporter.selectAggregationTemporality(kind),
    selectAggregation: (kind) => exporter.selectAggregation(kind),
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
}

async function main() {
  const a = args();
  const stats = { exported: 0, errors: [] };
  const exporter = counting(makeExporter(a.transport, a.endpoint), stats);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3600000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': `otel-js-${a.transport}`,
      'service.instance.id': `instance-${a.transport}`,
      'service.version': '1.2.3',
      'test.run_id': a.runId,
    }),
    readers: [reader],
  });
  const meter = provider.getMeter('sluice-test', '0.2.0');

  const requests = meter.createCounter('http.requests', { unit: '{request}', description: 'requests' });
  for (let i = 0; i < 3; i++) requests.add(1, { 'http.request.method': 'GET', 'http.route': '/a' });
  requests.add(2, { 'http.request.method': 'POST', 'http.route': '/b' });

  const queue = meter.createUpDownCounter('queue.items', { unit: '{item}' });
  queue.add(5);
  queue.add(-2);

  const duration = meter.createHistogram('http.server.duration', {
    unit: 'ms',
    advice: { explicitBucketBoundaries: [10, 100, 1000] },
  });
  for (const v of [5, 50, 50, 500, 5000]) duration.record(v, { 'http.route': '/a' });

  const memory = meter.createObservableGauge('process.memory.usage', { unit: 'By' });
  memory.addCallback((result) => result.observe(1024, { 'memory.type': 'heap' }));

  // shutdown() collects and exports once more, so it alone exports once.
  await provider.shutdown();
  console.log(JSON.stringify(stats));
  process.exit(stats.errors.length === 0 && stats.exported === 1 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
