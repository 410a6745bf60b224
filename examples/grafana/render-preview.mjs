// Draws a picture of jobs-dashboard.json's panels as an SVG, from the same PromQL queries run
// against a Prometheus that scraped the daemons: a preview for the README where no Grafana runs.
//
//   node examples/grafana/render-preview.mjs <prometheus-url> <minutes> <out.svg>
//
// Variables take their "All" values ($queue, $job: .*), $__rate_interval is 1m.
import { readFileSync, writeFileSync } from 'node:fs';

const [prometheus = 'http://127.0.0.1:9090', minutesText = '10', out = 'dashboard.svg'] =
  process.argv.slice(2);
const dashboard = JSON.parse(
  readFileSync(new URL('./jobs-dashboard.json', import.meta.url), 'utf8'),
);
const end = Math.floor(Date.now() / 1000);
const start = end - Number(minutesText) * 60;
const step = Math.max(5, Math.round((end - start) / 120));

const COLORS = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2', '#b877d9'];
const COL = 50;
const ROW = 30;
const PAD = 6;

function expand(expr) {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$queue', '.*')
    .replaceAll('$job', '.*');
}

async function query(path, params) {
  const url = `${prometheus}/api/v1/${path}?${new URLSearchParams(params)}`;
  const body = await (await fetch(url)).json();
  if (body.status !== 'success') throw new Error(`${url}: ${JSON.stringify(body)}`);
  return body.data.result;
}

function legend(format, metric) {
  return format.replace(/\{\{(\w+)\}\}/g, (_, name) => metric[name] ?? '');
}

function xml(text) {
  return text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatValue(value, unit) {
  if (!Number.isFinite(value)) return '-';
  if (unit === 's') return value < 1 ? `${(value * 1000).toFixed(0)} ms` : `${value.toFixed(1)} s`;
  if (unit === 'bytes') return `${(value / 1024 / 1024).toFixed(0)} MiB`;
  if (unit === 'ops') return `${value.toFixed(1)}/s`;
  return value >= 100 ? value.toFixed(0) : String(Math.round(value * 10) / 10);
}

async function drawPanel(panel) {
  const { x, y, w, h } = panel.gridPos;
  const px = x * COL + PAD;
  const py = y * ROW + PAD;
  const pw = w * COL - PAD;
  const ph = h * ROW - PAD;
  const unit = panel.fieldConfig.defaults.unit;
  const parts = [
    `<rect x="${px}" y="${py}" width="${pw}" height="${ph}" rx="3" fill="#181b1f" stroke="#2c3235"/>`,
    `<text x="${px + 8}" y="${py + 18}" fill="#ccccdc" font-size="12" font-weight="600">${xml(panel.title)}</text>`,
  ];
  if (panel.type === 'stat') {
    const [target] = panel.targets;
    const result = await query('query', { query: expand(target.expr), time: String(end) });
    const value = Number(result[0]?.value?.[1] ?? Number.NaN);
    parts.push(
      `<text x="${px + pw / 2}" y="${py + ph / 2 + 16}" fill="#73bf69" font-size="28" font-weight="600" text-anchor="middle">${xml(formatValue(value, unit))}</text>`,
    );
    return parts.join('');
  }
  const series = [];
  for (const target of panel.targets) {
    const result = await query('query_range', {
      query: expand(target.expr),
      start: String(start),
      end: String(end),
      step: String(step),
    });
    for (const r of result) {
      const points = r.values
        .map(([t, v]) => [Number(t), Number(v)])
        .filter(([, v]) => Number.isFinite(v));
      if (points.length > 0) series.push({ name: legend(target.legendFormat, r.metric), points });
    }
  }
  const chart = {
    x: px + 48,
    y: py + 28,
    w: pw - 60,
    h: ph - 28 - 18 - Math.min(3, Math.ceil(series.length / 2)) * 13,
  };
  const max = Math.max(1e-9, ...series.flatMap((s) => s.points.map(([, v]) => v)));
  for (let i = 0; i <= 3; i++) {
    const gy = chart.y + chart.h - (chart.h * i) / 3;
    parts.push(
      `<line x1="${chart.x}" x2="${chart.x + chart.w}" y1="${gy}" y2="${gy}" stroke="#2c3235"/>`,
      `<text x="${chart.x - 4}" y="${gy + 3}" fill="#8e8e8e" font-size="9" text-anchor="end">${xml(formatValue((max * i) / 3, unit))}</text>`,
    );
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const d = s.points
      .map(([t, v], k) => {
        const sx = chart.x + ((t - start) / (end - start)) * chart.w;
        const sy = chart.y + chart.h - (v / max) * chart.h;
        return `${k === 0 ? 'M' : 'L'}${sx.toFixed(1)},${sy.toFixed(1)}`;
      })
      .join('');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.4"/>`);
    if (i < 6) {
      const lx = px + 10 + (i % 2) * (pw / 2);
      const ly = chart.y + chart.h + 16 + Math.floor(i / 2) * 13;
      parts.push(
        `<rect x="${lx}" y="${ly - 7}" width="10" height="3" fill="${color}"/>`,
        `<text x="${lx + 14}" y="${ly - 2}" fill="#ccccdc" font-size="9">${xml(s.name.slice(0, 40))}</text>`,
      );
    }
  });
  if (series.length === 0) {
    parts.push(
      `<text x="${px + pw / 2}" y="${py + ph / 2}" fill="#8e8e8e" font-size="11" text-anchor="middle">No data</text>`,
    );
  }
  return parts.join('');
}

const bottom = Math.max(...dashboard.panels.map((p) => p.gridPos.y + p.gridPos.h));
const width = 24 * COL + PAD;
const height = bottom * ROW + PAD + 28;
const drawn = [];
for (const panel of dashboard.panels) drawn.push(await drawPanel(panel));
const title = `${dashboard.title}: last ${minutesText} minutes`;
writeFileSync(
  out,
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Inter, Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="#111217"/>
<text x="${PAD + 4}" y="${height - 10}" fill="#8e8e8e" font-size="11">${xml(title)} (rendered by examples/grafana/render-preview.mjs from the dashboard's queries)</text>
${drawn.join('\n')}
</svg>
`,
);
process.stdout.write(`wrote ${out}: ${dashboard.panels.length} panels\n`);
