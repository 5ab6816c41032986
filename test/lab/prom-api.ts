// Reading a lab Prometheus over its HTTP API from the root namespace, as the tests that count
// series before and after a change do. Bounded: retries while the Prometheus (re)starts.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** count({__name__=~".+"}) of the Prometheus at address:9090 at time t (seconds; 0 = now). */
export async function seriesAt(address: string, t: number): Promise<number> {
  const url = `http://${address}:9090/api/v1/query?query=${encodeURIComponent('count({__name__=~".+"})')}${t ? `&time=${t}` : ''}`;
  let last = '';
  for (let i = 0; i < 60; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
      const v = body.data?.result?.[0]?.value?.[1];
      if (res.status === 200 && v !== undefined) return Number(v);
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(1000);
  }
  throw new Error(`${address}: no series count at ${t}: ${last}`);
}
