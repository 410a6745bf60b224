import { defineHandlers } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { defineConfig } from './define.js';
import { resolveSettings } from './settings.js';
import { checkConfigShape } from './validate.js';

const handlers = defineHandlers({ a: { b() {} } });

describe('metrics and tracing settings', () => {
  it('default: no metrics server for a worker, no trace export', () => {
    const s = resolveSettings(defineConfig({ handlers }), {});
    expect(s.metrics).toEqual({ port: undefined, host: '127.0.0.1' });
    expect(s.tracing).toEqual({ otlp: false });
  });

  it('takes metrics.port/host and tracing.otlp from the config', () => {
    const s = resolveSettings(
      defineConfig({ handlers, metrics: { port: 9464, host: '0.0.0.0' }, tracing: { otlp: true } }),
      {},
    );
    expect(s.metrics).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(s.tracing.otlp).toBe(true);
  });

  it('lets OTEL_TRACES_EXPORTER win as the OpenTelemetry SDKs read it', () => {
    const on = defineConfig({ handlers, tracing: { otlp: true } });
    const off = defineConfig({ handlers });
    expect(resolveSettings(on, { OTEL_TRACES_EXPORTER: 'none' }).tracing.otlp).toBe(false);
    expect(resolveSettings(off, { OTEL_TRACES_EXPORTER: 'otlp' }).tracing.otlp).toBe(true);
    expect(resolveSettings(off, { OTEL_TRACES_EXPORTER: ' OTLP ' }).tracing.otlp).toBe(true);
    expect(resolveSettings(on, { OTEL_TRACES_EXPORTER: '' }).tracing.otlp).toBe(true);
    expect(() => resolveSettings(off, { OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(
      /OTEL_TRACES_EXPORTER=zipkin: only "otlp" and "none" are built in/,
    );
  });

  it.each([
    [{ metrics: { port: -1 } }, 'metrics.port'],
    [{ metrics: { port: 70_000 } }, 'metrics.port'],
    [{ metrics: { port: '9464' } }, 'metrics.port'],
    [{ metrics: { host: '' } }, 'metrics.host'],
    [{ metrics: { path: '/m' } }, 'metrics.path'],
    [{ metrics: 9464 }, 'metrics'],
    [{ tracing: { otlp: 'yes' } }, 'tracing.otlp'],
    [{ tracing: { exporter: 'otlp' } }, 'tracing.exporter'],
  ])('refuses %j naming %s', (extra, key) => {
    expect(checkConfigShape({ handlers, ...extra })?.key).toBe(key);
  });

  it('accepts a config with both', () => {
    expect(
      checkConfigShape({ handlers, metrics: { port: 0, host: '::1' }, tracing: { otlp: false } }),
    ).toBeNull();
  });
});
