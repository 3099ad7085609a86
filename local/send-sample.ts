/**
 * `npm run send-sample [-- <vendor> [<fixture>] | --all]`: sends a vendor's documented sample, signed as
 * that vendor signs it, to the running local mode, and prints the answer.
 *
 *   npm run send-sample                       Quarterzip's call.completed sample
 *   npm run send-sample -- converc            every Converc sample
 *   npm run send-sample -- koeiq alert-triggered
 *   npm run send-sample -- --all              every sample of every enabled vendor
 */
import { existsSync, readFileSync } from 'node:fs';
import { Fixture, fixtureBody, fixtureHeaders, loadFixtures } from './fixtures';
import { loadConfig, localPaths, resolveSecrets } from './runtime';
import { createAdapters } from '../lambda/vendors';

async function main(argv: string[]) {
  const paths = localPaths();
  const adapters = createAdapters(loadConfig().vendors);
  const secrets = resolveSecrets(adapters, paths).values;
  const base =
    process.env.CALLHOOKS_URL ||
    (existsSync(paths.stateFile) ? (JSON.parse(readFileSync(paths.stateFile, 'utf8')) as { url: string }).url : `http://127.0.0.1:${process.env.PORT || 3000}`);

  let fixtures: Fixture[];
  if (argv[0] === '--all') fixtures = loadFixtures().filter((f) => adapters.has(f.vendor));
  else {
    const vendor = argv[0] ?? 'quarterzip';
    if (!adapters.has(vendor)) throw new Error(`vendor "${vendor}" is not enabled (enabled: ${[...adapters.keys()].join(', ')})`);
    const name = argv[1] ?? (argv[0] ? undefined : 'call-completed');
    fixtures = loadFixtures(vendor).filter((f) => name === undefined || f.name === name);
    if (fixtures.length === 0) throw new Error(`no sample "${name}" for ${vendor}`);
  }

  let failures = 0;
  for (const f of fixtures) {
    const adapter = adapters.get(f.vendor)!;
    const query = f.query ? `?${new URLSearchParams(f.query)}` : '';
    const method = f.method ?? 'POST';
    const body = fixtureBody(f);
    const res = await fetch(`${base}/webhooks/${f.vendor}${query}`, {
      method,
      headers: fixtureHeaders(f, adapter, secrets.get(f.vendor)!),
      body: method === 'GET' || method === 'DELETE' || body.length === 0 ? undefined : body,
    });
    const text = await res.text();
    if (res.status >= 300) failures++;
    process.stdout.write(`${f.vendor}/${f.name}: ${res.status} ${text}\n`);
  }
  if (failures > 0) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const cause = (err as { cause?: { code?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') process.stderr.write('the local mode is not running: start it with `npm start` in another terminal\n');
  else process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
