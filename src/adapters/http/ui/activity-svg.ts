// Server-rendered SVG charts for the status page: decisions per hour
// (ALLOW and BLOCK stacked), and horizontal bars for the rules that block
// most and the busiest namespaces and apps. Plain inline <svg> markup: no
// script, no external asset, styled by attributes (the CSP forbids inline
// style elements, and presentation attributes are not styles). Every chart
// has a <title> and a text table fallback in <desc> for screen readers.
import type { Activity, Ranked } from '../../../core/activity.js';
import { html, type SafeHtml } from './html.js';

const ALLOW = '#1a7f37';
const BLOCK = '#b42318';
const AXIS = '#57606a';

export function decisionsChart(a: Activity): SafeHtml {
  const w = 720;
  const h = 180;
  const left = 34;
  const bottom = 22;
  const top = 8;
  const n = a.buckets.length;
  const max = Math.max(1, ...a.buckets.map((b) => b.allow + b.block));
  const scale = niceMax(max);
  const slot = (w - left - 4) / Math.max(1, n);
  const barW = Math.max(2, slot * 0.72);
  const y = (v: number): number => top + (h - top - bottom) * (1 - v / scale);
  const bars = a.buckets.map((b, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    const allowTop = y(b.allow);
    const blockTop = y(b.allow + b.block);
    const label = `${hourOf(b.start)}: ${b.allow} ALLOW, ${b.block} BLOCK`;
    return html`<g data-bucket="${b.start}"><title>${label}</title>${b.allow ? html`<rect x="${fx(x)}" y="${fx(allowTop)}" width="${fx(barW)}" height="${fx(y(0) - allowTop)}" fill="${ALLOW}"/>` : ''}${b.block ? html`<rect x="${fx(x)}" y="${fx(blockTop)}" width="${fx(barW)}" height="${fx(allowTop - blockTop)}" fill="${BLOCK}"/>` : ''}</g>`;
  });
  const ticks = [0, scale / 2, scale].map(
    (v) =>
      html`<line x1="${left}" x2="${w - 4}" y1="${fx(y(v))}" y2="${fx(y(v))}" stroke="#d0d7de" stroke-width="1"/><text x="${left - 4}" y="${fx(y(v) + 4)}" text-anchor="end" font-size="11" fill="${AXIS}">${fmt(v)}</text>`,
  );
  const labels = a.buckets.map((b, i) =>
    i % 4 === 0 || i === n - 1
      ? html`<text x="${fx(left + i * slot + slot / 2)}" y="${h - 6}" text-anchor="middle" font-size="11" fill="${AXIS}">${hourOf(b.start)}</text>`
      : '',
  );
  const total = a.buckets.reduce((t, b) => ({ allow: t.allow + b.allow, block: t.block + b.block }), {
    allow: 0,
    block: 0,
  });
  return html`<svg class="chart" id="decisions-chart" role="img" viewBox="0 0 ${w} ${h}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">
<title>Decisions per hour, last ${n} hours: ${total.allow} ALLOW, ${total.block} BLOCK</title>
<desc>${a.buckets.map((b) => `${hourOf(b.start)} ALLOW ${b.allow} BLOCK ${b.block}`).join('; ')}</desc>
${ticks}${bars}${labels}</svg>
<p class="legend"><span class="swatch allow"></span> ALLOW <span class="swatch block"></span> BLOCK <span class="muted">per hour (UTC), last ${n} hours</span></p>`;
}

export function rankedChart(id: string, title: string, items: readonly Ranked[], color = BLOCK): SafeHtml {
  if (items.length === 0) return html`<p class="muted" id="${id}">None in the last 24 hours.</p>`;
  const row = 22;
  const w = 360;
  const labelW = 170;
  const h = items.length * row + 4;
  const max = Math.max(1, ...items.map((i) => i.count));
  const bars = items.map((it, i) => {
    const bw = ((w - labelW - 44) * it.count) / max;
    const yy = i * row + 2;
    return html`<g><title>${it.name}: ${it.count}</title><text x="${labelW - 6}" y="${yy + 15}" text-anchor="end" font-size="12" fill="#1f2328">${ellipsis(it.name, 26)}</text><rect x="${labelW}" y="${yy + 3}" width="${fx(Math.max(1, bw))}" height="${row - 7}" fill="${color}"/><text x="${fx(labelW + bw + 4)}" y="${yy + 15}" font-size="12" fill="${AXIS}">${it.count}</text></g>`;
  });
  return html`<svg class="chart ranked" id="${id}" role="img" viewBox="0 0 ${w} ${h}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">
<title>${title}</title><desc>${items.map((i) => `${i.name} ${i.count}`).join('; ')}</desc>${bars}</svg>`;
}

function hourOf(iso: string): string {
  return iso.slice(11, 16);
}

function fx(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** 1, 2, 5 × 10^n at or above `v`, so the axis reads in round numbers. */
function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function ellipsis(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
