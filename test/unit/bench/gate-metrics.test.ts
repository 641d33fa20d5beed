// The cluster bench's profile of the gate (test/bench/gate-metrics.ts): its
// Prometheus histograms parsed, summed over pods and differenced over a run.
import { expect } from 'chai';
import { delta, parseHistogram } from '../../../test/bench/gate-metrics.js';

const N = 'migration_gate_audit_commit_duration_seconds';
const scrape = (b: Record<string, number>, sum: number, count: number) =>
  [
    `# HELP ${N} Time until an audit record was durable.`,
    `# TYPE ${N} histogram`,
    ...Object.entries(b).map(([le, v]) => `${N}_bucket{le="${le}"} ${v}`),
    `${N}_sum ${sum}`,
    `${N}_count ${count}`,
    'migration_gate_admission_duration_seconds_count 999',
  ].join('\n');

describe('cluster bench: the gate histograms over one run', () => {
  it('differences two scrapes: mean from sum/count, quantiles as the bucket bound they fall under', () => {
    const before = parseHistogram(scrape({ '0.01': 10, '0.05': 10, '0.1': 10, '+Inf': 10 }, 0.05, 10), N);
    // 100 more: 90 under 10 ms, 9 between 10 and 50 ms, 1 between 50 and 100 ms.
    const after = parseHistogram(
      scrape({ '0.01': 100, '0.05': 109, '0.1': 110, '+Inf': 110 }, 0.05 + 1, 110),
      N,
    );
    expect(delta(before, after)).to.deep.equal({ count: 100, meanMs: 10, p50LeMs: 10, p99LeMs: 50 });
  });

  it('a quantile past the last finite bucket is Infinity, an empty run has mean 0', () => {
    const a = parseHistogram(scrape({ '0.01': 0, '+Inf': 0 }, 0, 0), N);
    const b = parseHistogram(scrape({ '0.01': 0, '+Inf': 4 }, 20, 4), N);
    expect(delta(a, b)).to.deep.include({ count: 4, p50LeMs: Infinity, p99LeMs: Infinity });
    expect(delta(a, a)).to.deep.include({ count: 0, meanMs: 0 });
  });
});
