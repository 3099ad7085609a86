/**
 * `npm run new-vendor -- <name> [--title "Acme Voice"]`: scaffolds a built-in vendor that builds, is tested and is
 * documented, so that what is left is the vendor's own scheme and mapping (README › Adding a vendor).
 *
 * It writes `lambda/vendors/<name>.ts` (a working vendor: an HMAC-SHA256 scheme over `<t>.<body>` and a mapping of
 * a small JSON body), `lambda/config/vendors/<name>.ts` (the zod schema of its options, in the configuration layer),
 * `fixtures/<name>/call-ended.json`, `docs/vendors/<name>.md` and `test/vendors/<name>.test.ts`; adds the vendor's
 * entry to the registry (`lambda/vendors/registry.ts`) and its options to `VENDOR_OPTIONS`
 * (`lambda/config/vendors/index.ts`), its options struct and field to the
 * construct's API (`lib/vendors.ts`, exported from `lib/index.ts`: jsii structs cannot be derived), its row and link
 * to `README.md`, and `"<name>": true` to `examples/all-vendors/callhooks.config.json` (the configuration with every vendor, which the tests of every vendor read; the repository's default stays the five of 0.1.0); regenerates `schema/callhooks.config.schema.json`
 * (`npm run schemas`) and `docs/EVENTS.md` (`npm run docs:events`); and pins the new fixture's eventId in
 * `test/upgrade/event-ids.json` and the new secret's logical ID in `test/upgrade/logical-ids.test.ts` (lines added,
 * none changed).
 *
 * A name is refused (exit 2, nothing written) unless it is kebab-case (`a-z`, `0-9`, words joined by single `-`, each
 * word starting with a letter; at most 40 characters), new (no built-in vendor, custom vendor of
 * `examples/all-vendors/callhooks.config.json`, module, options module, fixture folder, page or test of that name) and not a JavaScript reserved word.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

/** Kebab-case, each word starting with a letter (so that `zzExample` ↔ `zz-example` round-trips: lib/private/names.ts). */
export const NEW_VENDOR_NAME_RE = /^[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*$/;
const MAX_NAME = 40; // lambda/contracts/defaults.ts VENDOR_NAME_RE

const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false finally ' +
  'for function if implements import in instanceof interface let new null package private protected public return static super ' +
  'switch this throw true try typeof var void while with yield await arguments eval').split(' '));

/** The names a new vendor's code is written with. */
export interface VendorNames {
  /** `zz-example`: routes, the file's `vendors` key, files. */
  readonly name: string;
  /** `zzExample`: the factory and the `BuiltInVendors` field. */
  readonly camel: string;
  /** `ZzExample`: the options struct (`ZzExampleOptions`) and the parser (`parseZzExample`). */
  readonly pascal: string;
  /** `Zz Example`, or `--title`: prose and links. */
  readonly title: string;
  /** `X-Zz-Example-Signature`: the skeleton scheme's header. */
  readonly header: string;
}

export function namesOf(name: string, title?: string): VendorNames {
  const words = name.split('-');
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  return {
    name,
    camel: words[0] + words.slice(1).map(cap).join(''),
    pascal: words.map(cap).join(''),
    title: title ?? words.map(cap).join(' '),
    header: `X-${words.map(cap).join('-')}-Signature`,
  };
}

/** Why `name` cannot be a new built-in vendor in the repository at `root`, or undefined when it can. */
export function refusalOf(name: string, root = ROOT): string | undefined {
  if (!NEW_VENDOR_NAME_RE.test(name) || name.length > MAX_NAME) {
    return `"${name}" is not a vendor name: use kebab-case (a-z and 0-9, words joined by single "-", each word starting with a letter), ` +
      `at most ${MAX_NAME} characters, e.g. "acme" or "acme-voice"`;
  }
  if (RESERVED.has(name)) return `"${name}" is a JavaScript reserved word, which cannot name the vendor's factory: choose another name`;
  const registry = readFileSync(join(root, 'lambda/vendors/registry.ts'), 'utf8');
  if (new RegExp(`^  (${name}|'${name}'): \\{`, 'm').test(registry)) return `"${name}" is already a built-in vendor (lambda/vendors/registry.ts)`;
  const config = JSON.parse(readFileSync(join(root, 'examples/all-vendors/callhooks.config.json'), 'utf8')) as { customVendors?: Array<{ name?: string }> };
  if ((config.customVendors ?? []).some((c) => c.name === name)) return `"${name}" is a custom vendor of examples/all-vendors/callhooks.config.json: choose another name`;
  for (const file of [`lambda/vendors/${name}.ts`, `lambda/config/vendors/${name}.ts`, `fixtures/${name}`, `docs/vendors/${name}.md`, `test/vendors/${name}.test.ts`]) {
    if (existsSync(join(root, file))) return `"${name}" is taken: ${file} exists`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The new files.

function moduleText(n: VendorNames): string {
  const TYPES = `${n.camel.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_TYPES`;
  return `/**
 * ${n.title}: scaffolded by \`npm run new-vendor ${n.name}\`. The proof of origin and the mapping below are a
 * working skeleton, not ${n.title}'s: replace them with what its webhook documentation (or SDK) says, and
 * \`fixtures/${n.name}/\` with its documented payloads; then make this comment, docs/vendors/${n.name}.md and
 * test/vendors/${n.name}.test.ts say what the vendor does (README › Adding a vendor).
 *
 * Body: \`{ "id": "<event id>", "type": "call.started" | "call.ended" | …, "created": <unix s>, "call": { "id", "direction",
 * "from", "to", "duration" } }\`. Event type: body \`type\`. Dedup key: the event \`id\`, which a redelivery repeats;
 * without one, the SHA-256 of the signed body.
 */
import { lookupType, type NormalizedFields, type NormalizedType } from '../core/event';
import type { Delivery } from '../core/http';
import type { ParsedDelivery, VendorAdapter } from '../core/vendor';
import { DEFAULTS } from '../contracts/defaults';
import type { ${n.pascal}Options } from '../config/vendors/${n.name}';
import { hmacScheme } from '../schemes/hmac';
import { schemeAuthentication } from './scheme';
import { idAt } from './json-source';
import { compact, digestKey, isoFromSeconds, num, obj, parseJsonObject, str, stripUndefined } from './util';

/** ${n.title} event type → normalized type; any other type is \`vendor.other\`. */
export const ${TYPES}: Readonly<Record<string, NormalizedType>> = {
  'call.started': 'call.started',
  'call.ended': 'call.ended',
};

/** vendorEventType of a body without a \`type\`. */
export const UNTYPED = '(none)';

/** The CallEvent fields and dedup key of an authenticated ${n.title} delivery. */
export function parse${n.pascal}(d: Pick<Delivery, 'body'>): ParsedDelivery {
  const body = parseJsonObject(d as Delivery);
  const vendorEventType = str(body, 'type') ?? UNTYPED;
  const call = obj(body, 'call');
  const direction = str(call, 'direction');
  const duration = num(call, 'duration');
  const fields: NormalizedFields = {
    type: lookupType(${TYPES}, vendorEventType),
    vendorEventType,
    occurredAt: isoFromSeconds(num(body, 'created')),
    callId: idAt(d.body, body, '/call/id') ?? null,
    test: false,
    call: compact({
      direction: direction === 'inbound' || direction === 'outbound' ? direction : undefined,
      from: str(call, 'from'),
      to: str(call, 'to'),
      durationSeconds: duration !== undefined && duration >= 0 ? duration : undefined,
    }),
  };
  return { dedupKey: idAt(d.body, body, '/id') ?? digestKey('sha256:', d.body), fields: stripUndefined(fields) };
}

/**
 * ${n.title}'s proof of origin: \`${n.header}: t=<unix s>,v1=<hex>\`, v1 = HMAC-SHA256(secret, \`<t>.<raw body>\`),
 * refused more than \`toleranceSeconds\` from now either way.
 */
export function ${n.camel}(options: ${n.pascal}Options = {}): VendorAdapter {
  const scheme = hmacScheme({
    header: '${n.header}',
    signatures: 'pairs',
    timestampKey: 't',
    signatureKey: 'v1',
    template: '{timestamp}.{body}',
    toleranceSeconds: options.toleranceSeconds ?? DEFAULTS.toleranceSeconds,
  });
  return { name: '${n.name}', methods: ['POST'], ...schemeAuthentication(scheme), parse: parse${n.pascal} };
}
`;
}

function fixtureText(n: VendorNames): string {
  const fixture = {
    description: `Skeleton written by npm run new-vendor: replace it with ${n.title}'s documented payloads, one file each, each traced to the page it comes from`,
    method: 'POST',
    contentType: 'application/json',
    body: {
      id: `evt_${n.camel}_0001`,
      type: 'call.ended',
      created: 1767225692,
      call: { id: `call_${n.camel}_0001`, direction: 'inbound', from: '+14155550100', to: '+14155550199', duration: 89 },
    },
    expect: {
      type: 'call.ended',
      vendorEventType: 'call.ended',
      callId: `call_${n.camel}_0001`,
      occurredAt: '2026-01-01T00:01:32.000Z',
      test: false,
      call: { direction: 'inbound', from: '+14155550100', to: '+14155550199', durationSeconds: 89 },
    },
  };
  return `${JSON.stringify(fixture, null, 2)}\n`;
}

function docsText(n: VendorNames): string {
  return `# ${n.title}

> Scaffolded by \`npm run new-vendor ${n.name}\`: this page describes the skeleton in \`lambda/vendors/${n.name}.ts\`.
> Rewrite it once the module does what ${n.title} documents (what it sends, how to configure it, its edge cases),
> as the other pages in this folder do.

callhooks verifies each delivery's signature, drops duplicates, and publishes one event per delivery on the bus
(source \`callhooks.${n.name}\`).

## What ${n.title} sends, in short

- **POST**, JSON, with \`${n.header}: t=<unix seconds>,v1=<hex>\`: v1 is the HMAC-SHA256 of \`<t>.<raw body>\`,
  keyed with the webhook secret. A \`t\` more than \`toleranceSeconds\` (default 300) from now, either way, is refused.
- Body: \`{ "id", "type", "created", "call": { "id", "direction", "from", "to", "duration" } }\`.

## Configure ${n.title}

1. **Turn it on:** \`"vendors": { "${n.name}": true }\` in \`callhooks.config.json\` (or \`vendors: { ${n.camel}: {} }\` in the
   construct's configuration).
2. **Webhook URL:** \`https://<api>/webhooks/${n.name}\` (local mode: \`http://127.0.0.1:3000/webhooks/${n.name}\`).
3. **Secret:** the webhook secret, in the vendor's Secrets Manager secret (local mode: \`CALLHOOKS_SECRET_${n.name.replace(/-/g, '_').toUpperCase()}\`).

## Events

| ${n.title} \`type\` | \`type\` | \`callId\` | dedup key |
| --- | --- | --- | --- |
| \`call.started\` | \`call.started\` | \`call.id\` | \`id\` |
| \`call.ended\` | \`call.ended\` | \`call.id\` | \`id\` |
| any other | \`vendor.other\` | \`call.id\` | \`id\` |

\`call.direction\`, \`call.from\`, \`call.to\` and \`call.durationSeconds\` come from \`call\`; \`occurredAt\` from \`created\`.
A body without an \`id\` is keyed by the SHA-256 of its bytes.
`;
}

function testText(n: VendorNames): string {
  return `/**
 * ${n.title} (scaffolded by \`npm run new-vendor ${n.name}\`): the fixtures through the pipeline, signed by a signer
 * written here from the skeleton's scheme, and the mapping. Once the module follows ${n.title}'s documentation, sign
 * with its SDK (a devDependency) or its documented sample instead, as test/vendors/bland.test.ts does.
 */
import { createHmac } from 'node:crypto';
import { ${n.camel}, parse${n.pascal} } from '../../lambda/vendors/${n.name}';
import { loadFixtures } from '../helpers/fixtures';
import { deliveryOf, describeContract } from '../helpers/platform-contract';

const adapter = ${n.camel}();
const fixtures = loadFixtures('${n.name}');
const SECRETS = ['${n.name}-secret-of-account-a', '${n.name}-secret-of-account-b'] as const;

/** \`${n.header}: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>">\`. */
function sign(body: Buffer, secret: string, now: Date): { headers: Record<string, string> } {
  const t = Math.floor(now.getTime() / 1000);
  return { headers: { '${n.header}': \`t=\${t},v1=\${createHmac('sha256', secret).update(\`\${t}.\`).update(body).digest('hex')}\` } };
}

describe('${n.name}: fixtures', () => {
  it('has at least one', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });
});

for (const fixture of fixtures) describeContract({ adapter, secrets: SECRETS, sign, staleAfterMs: 300_000 }, fixture);

describe('${n.name}: mapping', () => {
  const parse = (body: unknown) => parse${n.pascal}(deliveryOf('${n.name}', 'default', { headers: {} }, Buffer.from(JSON.stringify(body)), new Date()));

  it('keys a delivery by its event id: the same id is one event, another id another', () => {
    const a = parse({ id: 'evt_1', type: 'call.ended', call: { id: 'c1' } });
    expect(parse({ id: 'evt_1', type: 'call.ended', call: { id: 'c1' }, created: 1 }).dedupKey).toBe(a.dedupKey);
    expect(parse({ id: 'evt_2', type: 'call.ended', call: { id: 'c1' } }).dedupKey).not.toBe(a.dedupKey);
  });

  it('publishes a type it does not know as vendor.other, keeping the vendor type', () => {
    expect(parse({ id: 'evt_3', type: 'call.transferred', call: { id: 'c1' } }).fields).toMatchObject({ type: 'vendor.other', vendorEventType: 'call.transferred', callId: 'c1' });
  });
});
`;
}

function optionsText(n: VendorNames): string {
  return `/**
 * The options of the built-in vendor \`${n.name}\` (\`vendors.${n.name}\` in the configuration): configuration layer, read at
 * synth time and by the local mode. Its adapter (\`lambda/vendors/${n.name}.ts\`) imports only the type.
 */
import { vendorOptions, type OptionsOf } from '../schema';

/** The schema of ${n.title}'s options (\`vendors.${n.name}\`), built when called. */
export const ${n.camel}Options = () => vendorOptions('${n.name}', {}, '${n.title} (${n.header}: t=<unix s>,v1=<hex HMAC-SHA256 of t.body>): true, false or its options; toleranceSeconds bounds the signed t (default 300).');
export type ${n.pascal}Options = OptionsOf<typeof ${n.camel}Options>;
`;
}

// ---------------------------------------------------------------------------------------------------------------
// The files it adds a line to.

function edit(file: string, change: (text: string) => string): void {
  const path = join(ROOT, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`new-vendor: could not add to ${file} (its layout changed?)`);
  writeFileSync(path, after);
}

/** `text` with `line` inserted after the last line matching `re`. */
function afterLast(text: string, re: RegExp, line: string, file: string): string {
  const lines = text.split('\n');
  let at = -1;
  lines.forEach((l, i) => { if (re.test(l)) at = i; });
  if (at < 0) throw new Error(`new-vendor: ${file} has no line matching ${re}`);
  lines.splice(at + 1, 0, line);
  return lines.join('\n');
}

function addToRegistry(n: VendorNames): void {
  const B = 'process.env.CALLHOOKS_BUNDLE_VENDOR';
  const key = n.name === n.camel ? n.name : `'${n.name}'`;
  edit('lambda/vendors/registry.ts', (text) => {
    const imported = afterLast(text, /^import \{ \w+ \} from '\.\/[a-z0-9-]+';$/, `import { ${n.camel} } from './${n.name}';`, 'registry.ts');
    return imported.replace(/\n\} as const;\n/, `\n  ${key}: { title: '${n.title.replace(/'/g, "\\'")}', of010: false, ` +
      `factory: ${B} === undefined || ${B} === '${n.name}' ? ${n.camel} : undefined },\n} as const;\n`);
  });
  edit('lambda/config/vendors/index.ts', (text) => {
    const imported = afterLast(text, /^import \{ \w+Options \} from '\.\/[a-z0-9-]+';$/, `import { ${n.camel}Options } from './${n.name}';`, 'config/vendors/index.ts');
    return imported.replace(/\n\} as const satisfies /, `\n  ${key}: ${n.camel}Options,\n} as const satisfies `);
  });
}

function addToConstructApi(n: VendorNames): void {
  edit('lib/vendors.ts', (text) => {
    const struct = `/** ${n.title}: \`toleranceSeconds\` bounds the signed timestamp. */
export interface ${n.pascal}Options extends VendorOptionsBase {
  /**
   * Options of some of the \`endpoints\`, by endpoint name, overriding the vendor's. Every key must be listed in
   * \`endpoints\`.
   *
   * @default - every endpoint has the vendor's options
   */
  readonly endpointOptions?: { [endpoint: string]: EndpointOptions };
}

`;
    const at = text.search(/\/\*\*[^/]*\*\/\s*export interface BuiltInVendors \{/);
    if (at < 0) return text;
    const withStruct = text.slice(0, at) + struct + text.slice(at);
    const end = withStruct.lastIndexOf('\n}');
    return `${withStruct.slice(0, end)}\n\n  /**\n   * ${n.title}.\n   *\n   * @default - off\n   */\n  readonly ${n.camel}?: ${n.pascal}Options;${withStruct.slice(end)}`;
  });
  // Inserted before the first name that sorts after it; the others stay where they are.
  edit('lib/index.ts', (text) => text.replace(/export type \{\n([^}]*)\} from '\.\/vendors';/, (_all, list: string) => {
    const lines = list.split('\n').filter((l) => l.trim() !== '');
    const line = `  ${n.pascal}Options,`;
    const at = lines.findIndex((l) => l.trim().localeCompare(line.trim(), 'en') > 0);
    lines.splice(at < 0 ? lines.length : at, 0, line);
    return `export type {\n${lines.join('\n')}\n} from './vendors';`;
  }));
}

function addToReadme(n: VendorNames): void {
  const page = `docs/vendors/${n.name}.md`;
  edit('README.md', (text) => {
    const row = `| \`${n.name}\` | \`${n.header}\` HMAC-SHA256 of \`t.body\` (the scaffold's skeleton) | no | [${n.title}](${page}) |`;
    const rows = afterLast(text, /^\| `[a-z0-9-]+` \| .* \| (yes|no) \| \[[^\]]+\]\(docs\/vendors\/[a-z0-9-]+\.md\) \|$/, row, 'README.md');
    return rows.replace(/^(- Per vendor: .*)$/m, `$1 · [${n.title}](${page})`);
  });
}

function addToProjectConfig(n: VendorNames): void {
  edit('examples/all-vendors/callhooks.config.json', (text) => text.replace(/("vendors": \{\n(?:    .*\n)*?    .*?)(\n  \})/, `$1,\n    "${n.name}": true$2`));
}

function run(args: string[]): void {
  const result = spawnSync(process.execPath, [require.resolve('tsx/cli', { paths: [ROOT] }), ...args], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`new-vendor: tsx ${args.join(' ')} failed (exit ${result.status})`);
}

/**
 * `--pin <name>` (run in its own process once the vendor's files are written): the eventId of each of its fixtures
 * into test/upgrade/event-ids.json, its secret's logical ID in the ready-made stack into test/upgrade/logical-ids.test.ts.
 */
async function pin(name: string): Promise<void> {
  const { deriveEventId } = await import('../lambda/core/event');
  const { loadFixtures, fixtureBody } = await import('../local/fixtures');
  const { createAdapter } = await import('../lambda/vendors');
  const { Headers } = await import('../lambda/core/http');
  const adapter = createAdapter({ kind: 'builtin', name, options: {} } as never);
  const idsFile = join(ROOT, 'test/upgrade/event-ids.json');
  const ids = JSON.parse(readFileSync(idsFile, 'utf8')) as Record<string, string>;
  for (const fixture of loadFixtures(name)) {
    const parsed = await adapter.parse({ vendor: name, method: 'POST', headers: new Headers([]), query: {}, body: fixtureBody(fixture), receivedAt: new Date() });
    ids[`${name}/${fixture.name}`] = deriveEventId(name, parsed.dedupKey);
  }
  writeFileSync(idsFile, `${JSON.stringify(Object.fromEntries(Object.entries(ids).sort(([a], [b]) => (a < b ? -1 : 1))), null, 2)}\n`);

  // The logical ID CDK gives Callhooks/Vendors/<name>/Secret/Resource (lib/callhooks.ts), computed by CDK itself.
  const { App, CfnResource, Stack } = await import('aws-cdk-lib');
  const { Construct } = await import('constructs');
  const stack = new Stack(new App(), 'Pin');
  let scope: InstanceType<typeof Construct> = stack;
  for (const id of ['Callhooks', 'Vendors', name, 'Secret']) scope = new Construct(scope, id);
  const logicalId = stack.resolve(new CfnResource(scope, 'Resource', { type: 'AWS::SecretsManager::Secret' }).logicalId) as string;
  edit('test/upgrade/logical-ids.test.ts', (text) => {
    const re = /^( +)'CallhooksVendors[A-Za-z0-9]+Secret[0-9A-F]{8}',$/;
    const lines = text.split('\n');
    const at = lines.map((l, i) => [l, i] as const).filter(([l]) => re.test(l));
    if (at.length === 0) return text;
    const indent = re.exec(at[0][0])![1];
    const next = at.find(([l]) => l.trim() > `'${logicalId}',`);
    lines.splice(next ? next[1] : at[at.length - 1][1] + 1, 0, `${indent}'${logicalId}',`);
    return lines.join('\n');
  });
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--pin') {
    await pin(argv[1]);
    return 0;
  }
  const t = argv.indexOf('--title');
  const title = t >= 0 ? argv[t + 1] : undefined;
  const positional = argv.filter((a, i) => !a.startsWith('--') && (t < 0 || i !== t + 1));
  if (positional.length !== 1 || (t >= 0 && (title === undefined || title.trim() === ''))) {
    process.stderr.write('usage: npm run new-vendor -- <name> [--title "Display Name"]\n');
    return 2;
  }
  const name = positional[0];
  const refusal = refusalOf(name);
  if (refusal) {
    process.stderr.write(`new-vendor: ${refusal}; nothing was written\n`);
    return 2;
  }
  const n = namesOf(name, title);
  const created: Array<[string, string]> = [
    [`lambda/vendors/${name}.ts`, moduleText(n)],
    [`lambda/config/vendors/${name}.ts`, optionsText(n)],
    [`fixtures/${name}/call-ended.json`, fixtureText(n)],
    [`docs/vendors/${name}.md`, docsText(n)],
    [`test/vendors/${name}.test.ts`, testText(n)],
  ];
  for (const [file, text] of created) {
    mkdirSync(join(ROOT, file, '..'), { recursive: true });
    writeFileSync(join(ROOT, file), text);
  }
  addToRegistry(n);
  addToConstructApi(n);
  addToReadme(n);
  addToProjectConfig(n);
  run(['scripts/schemas.ts']);
  run(['scripts/events-doc.ts']);
  run(['scripts/new-vendor.ts', '--pin', name]);
  process.stdout.write([
    `new-vendor: ${name} scaffolded.`,
    `  written: ${created.map(([f]) => f).join(', ')}`,
    '  added to: lambda/vendors/registry.ts, lambda/config/vendors/index.ts, lib/vendors.ts, lib/index.ts, README.md,',
    '            examples/all-vendors/callhooks.config.json,',
    '            schema/callhooks.config.schema.json, docs/EVENTS.md, test/upgrade/event-ids.json, test/upgrade/logical-ids.test.ts',
    `Next: make lambda/vendors/${name}.ts verify and map what ${n.title} sends (README › Adding a vendor).`,
    '',
  ].join('\n'));
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
