// Creates spans through the real OpenTelemetry JavaScript trace SDK
// (@opentelemetry/sdk-trace-base) and exports them through one of its OTLP
// trace exporters, then shuts down. Driven by tests/test_otlp_metrics.py.
//
//   node emit_traces.js --transport http-proto|http-json|grpc --endpoint URL --run-id ID
//
// Spans (tracer "sluice-test" 0.3.0):
//   "GET /checkout"  server, root, attribute http.request.method=GET, status OK
//   "SELECT orders"  client, child of the root, event "cache.miss" {cache.key=orders:1},
//                    status ERROR "db down"
//   "send receipt"   producer, root of its own trace, linked to the first span with
//                    {link.reason=follows}
// Resource: service.name "otel-js-<transport>", test.run_id. Prints
// {"exported": N, "errors": [...], "trace_id", "root_span_id", "child_span_id",
// "linked_trace_id", "linked_span_id"} and exits 1 when an export failed.
'use strict';

const api = require('@opentelemetry/api');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
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
    return new (require('@opentelemetry/exporter-trace-otlp-proto').OTLPTraceExporter)(config);
  }
  if (transport === 'http-json') {
    return new (require('@opentelemetry/exporter-trace-otlp-http').OTLPTraceExporter)(config);
  }
  if (transport === 'grpc') {
    return new (require('@opentelemetry/exporter-trace-otlp-grpc').OTLPTraceExporter)(config);
  }
  throw new Error(`unknown transport ${transport}`);
}

/// Wraps an exporter to remember failed exports (the SDK only logs them).
function counting(exporter, stats) {
  return {
    export(spans, done) {
      exporter.export(spans, (result) => {
        if (result.code === 0) stats.exported += spans.length;
        else stats.errors.push(String(result.error));
        done(result);
      });
    },
    forceFlush: () => (exporter.forceFlush ? exporter.forceFlush() : Promise.resolve()),
    shutdown: () => exporter.shutdown(),
  };
}

async function main() {
  const a = args();
  const stats = { exported: 0, errors: [] };
  const exporter = counting(makeExporter(a.transport, a.endpoint), stats);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `otel-js-${a.transport}`, 'test.run_id': a.runId }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('sluice-test', '0.3.0');

  const root = tracer.startSpan('GET /checkout', {
    kind: api.SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET' },
  });
  const child = tracer.startSpan(
    'SELECT orders',
    { kind: api.SpanKind.CLIENT },
    api.trace.setSpan(api.ROOT_CONTEXT, root),
  );
  child.addEvent('cache.miss', { 'cache.key': 'orders:1' });
  child.setStatus({ code: api.SpanStatusCode.ERROR, message: 'db down' });
  child.end();
  root.setStatus({ code: api.SpanStatusCode.OK });
  root.end();
  const linked = tracer.startSpan('send receipt', {
    kind: api.SpanKind.PRODUCER,
    root: true,
    links: [{ context: root.spanContext(), attributes: { 'link.reason': 'follows' } }],
  });
  linked.end();

  await provider.forceFlush();
  await provider.shutdown();
  stats.trace_id = root.spanContext().traceId;
  stats.root_span_id = root.spanContext().spanId;
  stats.child_span_id = child.spanContext().spanId;
  stats.linked_trace_id = linked.spanContext().traceId;
  stats.linked_span_id = linked.spanContext().spanId;
  console.log(JSON.stringify(stats));
  process.exit(stats.errors.length === 0 && stats.exported === 3 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
