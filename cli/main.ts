#!/usr/bin/env node
/**
 * The `callhooks` command (README › The command line). `run` parses and dispatches without touching the
 * process (tests call it); the bottom of the file is the process entry point.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../local/runtime';
import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT, Io, intOption, processIo } from './io';
import { redriveCommand } from './redrive';
import { replayCommand } from './replay';
import { send } from './send';
import { tail } from './tail';
import { busTail } from './tail-bus';
import { verifyCommand } from './verify';

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const EXIT_HELP = `
Exit status:
  0    done (delivery accepted, delivery verifies, redrive published, replay completed, tail stopped)
  1    a definite "no" (the API refused the delivery, it does not verify, the redrive or replay failed,
       tail --bus: a --forward failed, --max-events did not all come within --timeout, its rule and
       queue could not be removed)
  2    bad usage (unknown option, vendor or sample, unreadable file, no secret)
  3    could not reach the local mode, the API or AWS
  130  interrupted while waiting for a replay (the replay is cancelled)

Secrets: --secret, else CALLHOOKS_SECRET_<VENDOR>[_<ENDPOINT>] (upper case, - as _), else the local mode's
development secrets (<data dir>/dev-secrets.json). Prefer the variable: a --secret value stays in your shell history.`;

/** Examples shown after each command's options (`callhooks <command> --help`). */
const EXAMPLES = {
  send: `
Examples:
  callhooks send quarterzip                      the quarterzip sample, to the running local mode
  callhooks send koeiq alert-triggered           a named sample (see fixtures/koeiq/)
  callhooks send converc --id run-7              the sample as another call (a new event; again: a duplicate)
  callhooks send quarterzip/eu --all             every sample, to the endpoint eu
  callhooks send converc ./captured.json         a body file, byte for byte (secret: CALLHOOKS_SECRET_CONVERC)
  callhooks send qcall --url https://abc.execute-api.eu-west-1.amazonaws.com   a deployed API`,
  verify: `
Examples:
  callhooks verify quarterzip --body body.bin --headers-file headers.txt
  callhooks verify koeiq --body body.json -H 'X-KoeIQ-Signature: sha256=…' --json
  callhooks verify converc --body body.json --headers-file headers.json --at 2026-11-22T12:00:00Z
  aws s3 cp s3://<payload bucket>/refused/quarterzip/2026-11-22/<sha256>.json - | callhooks verify quarterzip --captured -`,
  tail: `
Examples:
  callhooks tail                                 follow the local mode's events, one line each
  callhooks tail -n 50 --no-follow               the last 50 events, then stop
  callhooks tail --json | jq .detail.callId      the events as a subscriber receives them
  callhooks tail --bus callhooks --region eu-west-1                     a deployed bus (temporary rule and queue)
  callhooks tail --bus callhooks --forward http://127.0.0.1:8080/hook   and POST each event to a local handler
  callhooks tail --bus callhooks --vendor qcall --detail-type call.ended --max-events 1 --timeout 300
  callhooks tail --bus callhooks --cleanup                              remove what a killed tail left behind`,
  redrive: `
Examples:
  callhooks redrive                              ask the running local mode (or open its data folder)
  callhooks redrive --function Callhooks-Redrive --region eu-west-1 --json`,
  replay: `
Examples:
  callhooks replay --bus callhooks --from 2026-11-22T00:00:00Z --to 2026-11-22T06:00:00Z
  callhooks replay --bus callhooks --vendor quarterzip --from … --to … --no-wait`,
} as const;

export function createProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('callhooks')
    .description('Send, verify, follow, redrive and replay callhooks webhook deliveries and events.')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText('after', EXIT_HELP)
    .version(packageVersion(), '-V, --version')
    .exitOverride();

  const config = new Option('--config <file>', 'callhooks.config.json to read vendors from (default: $CALLHOOKS_CONFIG, ./callhooks.config.json, the repository one in a clone, else every built-in vendor)');

  program
    .command('send')
    .description("sign a delivery exactly as the vendor does and send it; prints the API's answer")
    .argument('[vendor[/endpoint]]', 'the vendor, and an endpoint other than "default" (default: quarterzip)')
    .argument('[sample]', 'a sample name from fixtures/<vendor>/ (default: a call sample of the vendor, e.g. call-completed for quarterzip; else the first), or a file whose bytes are the body')
    .option('--url <url>', "the API's base URL or a full webhook URL (default: $CALLHOOKS_URL, else the running local mode, else http://127.0.0.1:$PORT)")
    .option('--secret <secret>', 'the secret to sign with (see Secrets below)')
    .option('--all', 'send every sample of the vendor (of every endpoint of every enabled vendor when none is named)')
    .option('--id <id>', 'another call: a sample\'s identifying fields (id, call_id, CallSid, …) and its delivery id end with -<id>, so every vendor sees a new event; the same --id again is a redelivery (default: fixed per sample). A body file is sent as it is, with <id> as its delivery id')
    .option('--content-type <type>', 'content type of a body file', 'application/json')
    .addOption(new Option('--timeout <seconds>', 'how long to wait for the answer').default(30).argParser(intOption(1, 600)))
    .addOption(config)
    .option('--json', 'one JSON line per delivery: vendor, endpoint, sample, url, status, response')
    .addHelpText('after', EXAMPLES.send + EXIT_HELP)
    .action(async (target: string | undefined, sample: string | undefined, options) => setExit(await send(target, sample, options, io)));

  program
    .command('verify')
    .description('check a captured delivery against a secret offline, and say why it does not verify')
    .argument('<vendor[/endpoint]>', 'the vendor whose scheme to check with')
    .option('--body <file>', 'the raw body, byte for byte as received')
    .option('--captured <file|->', 'a capture of a refused delivery (refused/<vendor>/… of the payload bucket, with captureRefused on), or - for stdin: the whole request, checked as of when it was received')
    .option('-H, --header <line>', '"Name: value" of a header received (repeatable)', collect, [])
    .option('--headers-file <file>', 'the received headers: "Name: value" lines (curl -D) or a JSON object')
    .option('--secret <secret>', 'the secret (or {"current","previous"} during a rotation; see Secrets below)')
    .option('--method <method>', 'the HTTP method it arrived with (default: POST)')
    .option('--query <name=value>', 'a query parameter it arrived with (repeatable)', collect, [])
    .option('--url <url>', 'the URL the vendor called, query included: what a URL-signing vendor (Twilio) signs (default: the endpoint\'s publicUrl, else https://localhost/webhooks/<vendor>)')
    .option('--at <iso-time>', 'check as of this time, e.g. when it was received (default: now)')
    .addOption(new Option('--config <file>', config.description))
    .option('--json', 'one JSON object: verified, reason, message')
    .addHelpText('after', EXAMPLES.verify + EXIT_HELP)
    .action((vendor: string, options) => setExit(verifyCommand(vendor, options, io)));

  program
    .command('tail')
    .description("follow the local mode's events file, or with --bus a deployed bus, one line per event (time, source, type, eventId, callId)")
    .option('--file <file>', 'the events file (default: $CALLHOOKS_EVENTS_FILE, else <data dir>/events.jsonl)')
    .addOption(new Option('-n, --lines <n>', 'how many of the events already in the file to show first').default(10).argParser(intOption(0, 1_000_000)))
    .option('--no-follow', 'print what is in the file and stop')
    .addOption(new Option('--interval <ms>', 'how often to look at the file').default(250).argParser(intOption(10, 60_000)).hideHelp())
    .option('--json', 'the raw events, as a subscriber receives them')
    .option('--bus <name|arn>', 'follow this deployed EventBridge bus instead, through a temporary rule and SQS queue removed on exit (AWS)')
    .option('--region <region>', 'with --bus: AWS region (default: the ARN\'s, else the usual AWS configuration)')
    .option('--forward <url>', 'with --bus: POST each event (the EventBridge envelope, as a subscriber receives it) to this http(s) URL and print the status')
    .option('--vendor <vendor>', 'with --bus: only this vendor\'s events (repeatable)', collect, [])
    .option('--detail-type <type>', 'with --bus: only this detail type, e.g. call.ended (repeatable)', collect, [])
    .addOption(new Option('--max-events <n>', 'with --bus: stop after this many events').argParser(intOption(1, 1_000_000)))
    .addOption(new Option('--timeout <seconds>', 'with --bus: stop after this long').argParser(intOption(1, 7 * 86400)))
    .option('--cleanup', 'with --bus: remove the rules and queues that killed tails left on the bus, and stop')
    .addHelpText('after', EXAMPLES.tail + EXIT_HELP)
    .action(async (options, command: Command) => {
      const given = (name: string) => command.getOptionValueSource(name) === 'cli';
      if (options.bus) {
        const local = ['file', 'lines', 'follow'].filter(given);
        if (local.length > 0) throw new CliError(`--bus follows a deployed bus: ${local.map((o) => `--${o === 'follow' ? 'no-follow' : o}`).join(', ')} are for the local events file`);
        setExit(await busTail(options, io));
        return;
      }
      const aws = ['region', 'forward', 'vendor', 'detailType', 'maxEvents', 'timeout', 'cleanup'].filter(given);
      if (aws.length > 0) throw new CliError(`${aws.map((o) => `--${o.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} need --bus <name> (the local mode's events file is followed without them)`);
      setExit(await tail({ ...options, intervalMs: options.interval }, io));
    });

  program
    .command('redrive')
    .description('publish the acknowledged events that are not on the bus yet, now; with --dead, republish the dead-lettered ones (local mode; --function on AWS)')
    .option('--url <url>', 'the local mode to ask (default: the running one; when none runs, its data folder is opened here)')
    .option('--function <name>', "invoke the stack's redrive function (name or ARN) instead, and print its report")
    .option('--region <region>', 'AWS region (default: the usual AWS configuration)')
    .option('--dead', 'republish the events the redrive gave up on: each dead-letter message whose record is still DEAD is published under its eventId, the record marked PUBLISHED and the message removed')
    .option('--json', 'the report as JSON: examined, published, failed, deadLettered, skipped')
    .addHelpText('after', EXAMPLES.redrive + EXIT_HELP)
    .action(async (options) => setExit(await redriveCommand(options, io)));

  program
    .command('replay')
    .description('replay archived callhooks events of a time window onto the bus, or to some rules, and wait for it (AWS)')
    .option('--archive <name|arn>', "the archive (default: the bus's only archive, with --bus)")
    .requiredOption('--from <iso-time>', 'start of the window (events archived from this time)')
    .requiredOption('--to <iso-time>', 'end of the window')
    .option('--vendor <vendor>', 'only this vendor: replays to the rules that select only callhooks.<vendor> (see README)')
    .option('--rule <name|arn>', 'replay to this rule only (repeatable)', collect, [])
    .option('--bus <name>', "the archive's bus (a replay goes only onto the bus the archive records)")
    .option('--name <name>', 'the replay name (default: callhooks-<vendor|all>-<time>-<random>)')
    .option('--no-wait', 'start it and return')
    .addOption(new Option('--poll <seconds>', 'how often to check on it').default(5).argParser(intOption(1, 300)))
    .addOption(new Option('--timeout <seconds>', 'stop waiting after this long (the replay goes on)').default(6 * 3600).argParser(intOption(1, 7 * 86400)))
    .option('--region <region>', 'AWS region (default: the usual AWS configuration)')
    .option('--json', 'the final state as one JSON object (no progress lines)')
    .addHelpText('after', EXAMPLES.replay + EXIT_HELP)
    .action(async (options) => setExit(await replayCommand(options, io)));

  return program;
}

/** Runs `callhooks` with `argv` (without node and the script) and resolves with the exit status. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const program = createProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      io.err(`callhooks: ${err.message}\n`);
      return err.exitCode;
    }
    io.err(`callhooks: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.refused;
  }
}

/** The process entry point (cli/bin.js calls it). */
export function main(): void {
  run(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = EXIT.refused;
    },
  );
}

if (require.main === module) main();
