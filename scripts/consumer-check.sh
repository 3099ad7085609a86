#!/usr/bin/env bash
# The consumer check (issue 8): what a customer gets from `npm install callhooks` into their own CDK app.
#
#   1. `npm pack` this repository (prepack builds it) and check the tarball's contents;
#   2. for each aws-cdk-lib version checked — by default the lowest the peer range allows (with the lowest
#      constructs) and the example's own, the newest tested — install the tarball into a temporary copy of
#      examples/consumer-app on that version, and remove any esbuild from it;
#   3. check there is exactly one copy of aws-cdk-lib, that the package loads (`require`, `import`, subpaths);
#   4. type-check the app with skipLibCheck false and without esModuleInterop (node10 resolution, as `cdk init`
#      sets, and node16), and its stack once more without @types/aws-lambda installed;
#   5. synthesize it offline with the pinned CDK CLI and check the template.
#
# Fails on the first error. Needs the npm registry (for the example's own dependencies), nothing else.
# Usage: scripts/consumer-check.sh [--keep] [--aws-cdk-lib VERSION]... [--tarball callhooks-<version>.tgz]
#   --keep leaves the temporary folder for inspection; --aws-cdk-lib checks only the versions given; --tarball
#   checks a tarball already packed from this repository instead of packing it again.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
EXAMPLE="$ROOT/examples/consumer-app"
export CDK_DISABLE_CLI_TELEMETRY=1 AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORK="$(mktemp -d "${TMPDIR:-/tmp}/callhooks-consumer.XXXXXX")"
KEEP=0
VERSIONS=()
GIVEN_TARBALL=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keep) KEEP=1; shift ;;
    --aws-cdk-lib) VERSIONS+=("$2"); shift 2 ;;
    --tarball) GIVEN_TARBALL="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    *) echo "consumer-check: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ $KEEP -eq 1 ]]; then echo "consumer-check: working in $WORK (kept)"; else trap 'rm -rf "$WORK"' EXIT; fi
# The lowest versions the peer ranges allow (`^2.270.0` → 2.270.0), and the example's own (the newest tested).
LOWEST_CDK="$(node -p "require('$ROOT/package.json').peerDependencies['aws-cdk-lib'].replace(/^[\\^~>=]+/, '')")"
LOWEST_CONSTRUCTS="$(node -p "require('$ROOT/package.json').peerDependencies.constructs.replace(/^[\\^~>=]+/, '')")"
EXAMPLE_CDK="$(node -p "require('$EXAMPLE/package.json').dependencies['aws-cdk-lib']")"
[[ ${#VERSIONS[@]} -gt 0 ]] || VERSIONS=("$LOWEST_CDK" "$EXAMPLE_CDK")
fail() { echo "consumer-check: FAILED: $*" >&2; exit 1; }
step() { echo "-- consumer-check [$((SECONDS))s]: $*"; }

if [[ -n "$GIVEN_TARBALL" ]]; then
  step "the tarball $GIVEN_TARBALL"
  cp "$GIVEN_TARBALL" "$WORK/"
else
  step "npm pack (prepack builds the package)"
  (cd "$ROOT" && npm pack --silent --pack-destination "$WORK" >/dev/null)
fi
TARBALL="$(ls "$WORK"/callhooks-*.tgz)"
tar -tzf "$TARBALL" | sed 's#^package/##' | sort >"$WORK/contents.txt"
for required in package.json .jsii LICENSE README.md dist/lib/index.js dist/lib/index.d.ts dist/lib/events.js dist/lib/events.d.ts dist/bundles/redrive/index.js dist/bundles/webhook-quarterzip/index.js dist/bundles/webhook-converc/index.js schema/call-event.schema.json; do
  grep -qxF "$required" "$WORK/contents.txt" || fail "the package lacks $required"
done
# node_modules/ holds the bundled dependencies (jsii requires its non-jsii runtime dependencies bundled), each checked below.
for bundled in $(node -p "require('$ROOT/package.json').bundledDependencies.join(' ')"); do
  grep -qxF "node_modules/$bundled/package.json" "$WORK/contents.txt" || fail "the package lacks its bundled dependency $bundled"
done
if grep -v '^node_modules/' "$WORK/contents.txt" | grep -E '^(test|scripts|local|bin|examples|\.ci|cdk\.out|dist/test|dist/scripts)/|^(tsconfig[^/]*\.json|jest\.config\.js|cdk\.json|callhooks\.config\.json|package-lock\.json)$|\.test\.(ts|js)$|\.inputs\.json$'; then
  fail "the package ships the files above, which are not for consumers"
fi
echo "   $(wc -l <"$WORK/contents.txt") files, $(du -k "$TARBALL" | cut -f1) KiB packed"

for CDK in "${VERSIONS[@]}"; do
  step "aws-cdk-lib $CDK: install the tarball into a copy of examples/consumer-app"
  APP="$WORK/app-$CDK"
  mkdir "$APP"
  (cd "$EXAMPLE" && tar --exclude=./node_modules --exclude=./dist --exclude=./cdk.out --exclude=./package-lock.json -cf - .) | tar -xf - -C "$APP"
  cd "$APP"
  npm pkg set "dependencies.callhooks=file:$TARBALL" "dependencies.aws-cdk-lib=$CDK"
  if [[ "$CDK" == "$LOWEST_CDK" ]]; then npm pkg set "dependencies.constructs=$LOWEST_CONSTRUCTS"; fi
  npm install --no-audit --no-fund --loglevel=error
  find node_modules -type d \( -name esbuild -o -name '@esbuild' \) -prune -exec rm -rf {} +
  rm -f node_modules/.bin/esbuild
  [[ -z "$(find node_modules -type d \( -name esbuild -o -name '@esbuild' \) -prune)" ]] || fail "esbuild is still installed"
  if PATH="$APP/node_modules/.bin:$PATH" command -v esbuild >/dev/null; then fail "an esbuild is on the PATH: $(command -v esbuild)"; fi

  step "one copy of aws-cdk-lib, and the package loads"
  npm ls aws-cdk-lib constructs --all >/dev/null || { npm ls aws-cdk-lib constructs --all; fail "npm ls reports a problem"; }
  mapfile -t CDK_LIBS < <(find node_modules -name package.json -path '*/aws-cdk-lib/package.json' -not -path '*/aws-cdk-lib/node_modules/*')
  [[ ${#CDK_LIBS[@]} -eq 1 ]] || fail "expected one aws-cdk-lib, found ${#CDK_LIBS[@]}: ${CDK_LIBS[*]}"
  GOT_CDK="$(node -p "require('aws-cdk-lib/package.json').version")"
  GOT_CONSTRUCTS="$(node -p "require('constructs/package.json').version")"
  [[ "$GOT_CDK" == "$CDK" ]] || fail "aws-cdk-lib is $GOT_CDK, expected $CDK"
  echo "   aws-cdk-lib $GOT_CDK, constructs $GOT_CONSTRUCTS (repository: $(node -p "require('$ROOT/package.json').devDependencies['aws-cdk-lib']")), one copy: ${CDK_LIBS[0]}"
  node -e "
    const c = require('callhooks');
    if (typeof c.Callhooks !== 'function') throw new Error('require(\"callhooks\").Callhooks is not a class');
    if (require('callhooks/package.json').name !== 'callhooks') throw new Error('callhooks/package.json');
    if (Object.keys(require('callhooks/events')).length !== 0) throw new Error('callhooks/events has runtime exports');
    import('callhooks').then((m) => { if (typeof m.Callhooks !== 'function') throw new Error('import(\"callhooks\")'); })
      .catch((e) => { console.error(e); process.exit(1); });
  "

  step "the installed command line runs with the package's own dependencies only"
  npx --no-install callhooks --help >/dev/null || fail "callhooks --help failed"
  # Signs a documented sample and sends it to a closed port: every module send needs loads, then exit 3 (unreachable).
  set +e
  npx --no-install callhooks send quarterzip --url http://127.0.0.1:9 --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw >"$WORK/send.log" 2>&1
  SEND_STATUS=$?
  set -e
  [[ $SEND_STATUS -eq 3 ]] || { cat "$WORK/send.log"; fail "callhooks send to a closed port exited $SEND_STATUS, expected 3 (unreachable)"; }

  step "type-check with skipLibCheck false, without esModuleInterop (node10 resolution), compile"
  node -e "const c = require('./tsconfig.json').compilerOptions; if (c.esModuleInterop || c.skipLibCheck !== false) process.exit(1)" \
    || fail "the example's tsconfig must set skipLibCheck false and leave esModuleInterop off"
  npx --no-install tsc -p . || fail "the example does not type-check"
  grep -q 'require(' dist/src/crm-sync.js && fail "the subscriber's compiled code requires a module: callhooks/events is not types-only"
  step "node16 and bundler resolution (the exports map) find the declarations; the subscriber type-checks under node16"
  node -e "
    const ts = require('typescript');
    for (const [name, kind] of [['Node16', ts.ModuleResolutionKind.Node16], ['NodeNext', ts.ModuleResolutionKind.NodeNext], ['Bundler', ts.ModuleResolutionKind.Bundler]]) {
      const options = { module: kind === ts.ModuleResolutionKind.Bundler ? ts.ModuleKind.ESNext : ts.ModuleKind.Node16, moduleResolution: kind };
      for (const [spec, want] of [['callhooks', '/dist/lib/index.d.ts'], ['callhooks/events', '/dist/lib/events.d.ts']]) {
        const r = ts.resolveModuleName(spec, process.cwd() + '/lib/consumer-stack.ts', options, ts.sys).resolvedModule;
        if (!r || !r.resolvedFileName.endsWith('/node_modules/callhooks' + want)) {
          console.error(name + ' resolution of ' + spec + ': ' + (r ? r.resolvedFileName : 'not found')); process.exit(1);
        }
      }
    }
  "
  npx --no-install tsc --noEmit --strict --skipLibCheck false --target ES2022 --lib ES2022 --types node \
    --module node16 --moduleResolution node16 src/crm-sync.ts || fail "the subscriber does not type-check under node16 resolution"

  step "the stack type-checks without esModuleInterop and without @types/aws-lambda (no zod or Lambda type in the API)"
  rm -rf node_modules/@types/aws-lambda
  npx --no-install tsc --noEmit --strict --skipLibCheck false --esModuleInterop false --target ES2022 --lib ES2022 --module commonjs \
    --types node bin/consumer-app.ts || fail "the stack does not type-check without esModuleInterop and @types/aws-lambda"

  step "cdk synth, offline, without esbuild or Docker"
  rm -rf cdk.out
  npx --no-install cdk --version
  npx --no-install cdk synth --quiet --no-notices >"$WORK/synth.log" 2>&1 || { tail -c 4000 "$WORK/synth.log"; fail "cdk synth failed"; }
  node -e "
    const t = require('./cdk.out/CallhooksConsumer.template.json');
    const of = (type) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
    const check = (ok, what) => { if (!ok) { console.error('template: ' + what); process.exit(1); } };
    check(of('AWS::Events::EventBus').length === 1, 'expected exactly the app\'s own bus, got ' + of('AWS::Events::EventBus').length);
    check(of('AWS::SecretsManager::Secret').length === 1, 'expected one new secret (quarterzip; converc is imported), got ' + of('AWS::SecretsManager::Secret').length);
    const rules = of('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.EventPattern || {}).includes('call.ended'));
    check(rules.length === 1, 'expected one rule on call.ended, got ' + rules.length);
    check(JSON.stringify(t).includes('crm/converc-webhook-secret'), 'the imported converc secret is not referenced');
    const fns = of('AWS::Lambda::Function').map(([, r]) => r.Properties.Code && r.Properties.Code.S3Key).filter(Boolean);
    check(fns.length >= 4, 'expected the two vendor functions, the redrive and the worker, got ' + fns.length);
    console.log('   template: ' + Object.keys(t.Resources).length + ' resources, ' + fns.length + ' functions');
    // The callhooks functions deploy the package's prebuilt bundles byte for byte: nothing was bundled here.
    const fs = require('fs'), path = require('path');
    const bundles = path.join(path.dirname(require.resolve('callhooks/package.json')), 'dist', 'bundles');
    const shipped = new Set(fs.readdirSync(bundles).filter((d) => fs.existsSync(path.join(bundles, d, 'index.js')))
      .map((d) => fs.readFileSync(path.join(bundles, d, 'index.js'), 'base64')));
    const assets = fs.readdirSync('cdk.out').filter((d) => d.startsWith('asset.') && fs.existsSync(path.join('cdk.out', d, 'index.js')));
    const fromPackage = assets.filter((d) => shipped.has(fs.readFileSync(path.join('cdk.out', d, 'index.js'), 'base64')));
    check(fromPackage.length === 3, 'expected 3 function assets identical to the package bundles (quarterzip, converc, redrive), got ' + fromPackage.length);
  "
done
step "passed"
