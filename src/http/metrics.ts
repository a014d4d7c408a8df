/**
 * Prometheus metrics for the HTTP app, rendered in the text exposition format (version 0.0.4).
 * Requests are counted by route pattern (never the raw path: keys would explode the label space), method and
 * status; latency is a histogram by route, measured to the moment the response headers are ready.
 */

/** Upper bounds, seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[]; // per bucket (not cumulative), plus +Inf at the end
  sum: number;
  count: number;
}

/** One sample of a gauge or counter a collector reports at scrape time. */
export interface Sample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly samples: readonly Sample[];
}

/** Something that contributes families at scrape time (engine sizes, the object index, ingestion counts). */
export type MetricsCollector = () => MetricFamily[];

export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Readonly<Record<string, string>> | undefined, extra?: [string, string]): string {
  const parts: string[] = [];
  if (labels) for (const [k, v] of Object.entries(labels)) parts.push(`${k}="${escapeLabel(v)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function num(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isNaN(v) ? 'NaN' : String(v);
}

export class HttpMetrics {
  private readonly requests = new Map<string, { route: string; method: string; status: string; n: number }>();
  private readonly latency = new Map<string, Histogram>();
  private readonly collectors: MetricsCollector[] = [];

  observe(route: string, method: string, status: number, seconds: number): void {
    const key = `${route}\u0000${method}\u0000${status}`;
    const r = this.requests.get(key);
    if (r) r.n++;
    else this.requests.set(key, { route, method, status: String(status), n: 1 });

    let h = this.latency.get(route);
    if (!h) {
      h = { counts: new Array(LATENCY_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.latency.set(route, h);
    }
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    h.counts[i]!++;
    h.sum += seconds;
    h.count++;
  }

  addCollector(c: MetricsCollector): void {
    this.collectors.push(c);
  }

  /** The exposition text: requests, latencies, each collector's families, then `more`. */
  render(more: readonly MetricFamily[] = []): string {
    const lines: string[] = [];
    lines.push('# HELP s3index_http_requests_total HTTP requests by route pattern, method and status.');
    lines.push('# TYPE s3index_http_requests_total counter');
    for (const r of this.requests.values()) {
      lines.push(
        `s3index_http_requests_total${labelText({ route: r.route, method: r.method, status: r.status })} ${r.n}`,
      );
    }
    lines.push('# HELP s3index_http_request_duration_seconds Time to response headers, by route pattern.');
    lines.push('# TYPE s3index_http_request_duration_seconds histogram');
    for (const [route, h] of this.latency) {
      let cum = 0;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        cum += h.counts[i]!;
        lines.push(
          `s3index_http_request_duration_seconds_bucket${labelText({ route }, ['le', String(LATENCY_BUCKETS[i])])} ${cum}`,
        );
      }
      lines.push(`s3index_http_request_duration_seconds_bucket${labelText({ route }, ['le', '+Inf'])} ${h.count}`);
      lines.push(`s3index_http_request_duration_seconds_sum${labelText({ route })} ${h.sum}`);
      lines.push(`s3index_http_request_duration_seconds_count${labelText({ route })} ${h.count}`);
    }
    for (const f of [...this.collectors.flatMap((collect) => collect()), ...more]) {
      lines.push(`# HELP ${f.name} ${f.help}`);
      lines.push(`# TYPE ${f.name} ${f.type}`);
      for (const s of f.samples) lines.push(`${f.name}${labelText(s.labels)} ${num(s.value)}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
