// Emits log records through the real OpenTelemetry JavaScript SDK and one of
// its OTLP log exporters, then flushes and shuts down. Driven by
// tests/test_otlp.py.
//
//   node emit_logs.js --transport http-proto|http-json|grpc --endpoint URL
//                     --count N --run-id ID [--compression gzip|none]
//
// Every record: body "log <i> via <transport>", severity cycling
// INFO/WARN/ERROR, attributes seq (int), transport, http.request.method,
// sampled (bool); resource service.name "otel-js-<transport>",
// service.version, test.run_id, process.pid (int); scope "sluice-test" 0.1.0.
// Exits 1 when any export failed.
'use strict';

const { SeverityNumber } = require('@opentelemetry/api-logs');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');

function args() {
  const out = { transport: '', endpoint: '', count: 10, runId: '', compression: 'none' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (key === 'transport') out.transport = value;
    else if (key === 'endpoint') out.endpoint = value;
    else if (key === 'count') out.count = Number(value);
    else if (key === 'run-id') out.runId = value;
    else if (key === 'compression') out.compression = value;
    else throw new Error(`unknown option --${key}`);
  }
  return out;
}

function makeExporter(transport, url, compression) {
  const config = { url, compression, timeoutMillis: 20000 };
  if (transport === 'http-proto') {
    return new (require('@opentelemetry/exporter-logs-otlp-proto').OTLPLogExporter)(config);
  }
  if (transport === 'http-json') {
    return new (require('@opentelemetry/exporter-logs-otlp-http').OTLPLogExporter)(config);
  }
  if (transport === 'grpc') {
    return new (require('@opentelemetry/exporter-logs-otlp-grpc').OTLPLogExporter)(config);
  }
  throw new Error(`unknown transport ${transport}`);
}

/// Wraps an exporter to remember failed exports (the SDK only logs them).
function counting(exporter, stats) {
  return {
    export(records, done) {
      exporter.export(records, (result) => {
        if (result.code === 0) stats.exported += records.length;
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
  const exporter = counting(makeExporter(a.transport, a.endpoint, a.compression), stats);
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({
      'service.name': `otel-js-${a.transport}`,
      'service.version': '1.2.3',
      'test.run_id': a.runId,
      'process.pid': 4242,
    }),
    processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 7, scheduledDelayMillis: 50 })],
  });
  const logger = provider.getLogger('sluice-test', '0.1.0');
  const levels = [
    [SeverityNumber.INFO, 'INFO'],
    [SeverityNumber.WARN, 'WARN'],
    [SeverityNumber.ERROR, 'ERROR'],
  ];
  for (let i = 0; i < a.count; i++) {
    const [severityNumber, severityText] = levels[i % levels.length];
    logger.emit({
      severityNumber,
      severityText,
      body: `log ${i} via ${a.transport}`,
      attributes: { seq: i, transport: a.transport, 'http.request.method': 'GET', sampled: i % 2 === 0 },
    });
  }
  await provider.forceFlush();
  await provider.shutdown();
  console.log(JSON.stringify(stats));
  process.exit(stats.errors.length === 0 && stats.exported === a.count ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
