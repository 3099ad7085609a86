#!/usr/bin/env bash
# The unit suite on each Node.js major the package supports besides the machine's own (README §Node.js
# versions): 22 and 24 by default, or the majors given as arguments. A major the machine does not have is taken
# from the npm registry's `node` package (its binaries come from the registry too) into a temporary folder.
# The bundles must be built (npm test builds them).
set -euo pipefail
cd "$(dirname "$0")/.."
majors=("${@:-22 24}")
# shellcheck disable=SC2206
majors=(${majors[*]})
own="$(node -p 'process.versions.node.split(".")[0]')"
root="$(mktemp -d "${TMPDIR:-/tmp}/callhooks-node.XXXXXX")"
trap 'rm -rf "$root"' EXIT
for major in "${majors[@]}"; do
  if [[ "$major" == "$own" ]]; then bin="$(dirname "$(command -v node)")"; else
    npm install --silent --no-audit --no-fund --no-save --prefix "$root/$major" "node@$major" >/dev/null
    bin="$root/$major/node_modules/.bin"
  fi
  echo "== unit suite on Node.js $("$bin/node" -v)"
  t=$SECONDS
  PATH="$bin:$PATH" AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true "$bin/node" node_modules/jest/bin/jest.js --selectProjects unit --silent
  echo "   ($((SECONDS - t)) s)"
done
