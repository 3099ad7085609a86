#!/usr/bin/env bash
# jsii-diff of the API against the recorded baseline (api-baseline/callhooks.jsii): a breaking change to a stable
# API (a removed or renamed member, a prop made required, a narrowed type) fails unless its key is listed in
# api-baseline/allowed-breaking-changes.txt with the reason (the CHANGELOG says it too). The assembly of the
# working tree (.jsii) must be current: `npm run compile` (or npm pack's prepack) writes it.
#   scripts/api-diff.sh            compare
#   scripts/api-diff.sh --record   make the current assembly the new baseline (after a release)
set -euo pipefail
cd "$(dirname "$0")/.."
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
[[ -f .jsii ]] || { echo "api-diff: no .jsii here: run npm run compile first" >&2; exit 2; }
if [[ "${1:-}" == "--record" ]]; then cp .jsii api-baseline/callhooks.jsii; echo "api-diff: baseline recorded"; exit 0; fi
# jsii-diff loads an assembly's dependencies (aws-cdk-lib, constructs) only for a package folder: one under the
# repository, so that they resolve from its node_modules.
BASE="$(mktemp -d "$PWD/.api-baseline.XXXXXX")"
trap 'rm -rf "$BASE"' EXIT
cp api-baseline/callhooks.jsii "$BASE/.jsii"
node -e '
  const fs = require("fs");
  const a = JSON.parse(fs.readFileSync(process.argv[1] + "/.jsii", "utf8"));
  const pkg = { name: a.name, version: a.version, types: "index.d.ts", jsii: { outdir: "dist", targets: {} }, peerDependencies: a.dependencies };
  fs.writeFileSync(process.argv[1] + "/package.json", JSON.stringify(pkg));
' "$BASE"
npx --no-install jsii-diff "$BASE" . --error-on prod --ignore-file api-baseline/allowed-breaking-changes.txt
echo "api-diff: no breaking change to the stable API since the baseline"
