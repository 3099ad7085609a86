#!/usr/bin/env bash
# CI: a vendor scaffolded by `npm run new-vendor` type-checks, bundles and passes every unit test that covers
# vendors, with no edit. Runs on a copy of the working tree (tracked and untracked files, not the ignored ones;
# node_modules linked, not installed) in a temporary folder, removed at the end; the working tree is not touched.
#
# Usage: scripts/scaffold-check.sh [name]   (default zz-example: kebab-case, so the camelCase paths are exercised)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NAME="${1:-zz-example}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/callhooks-scaffold.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# The unit tests that cover vendors: each derives its vendor lists from the registry or the fixtures.
TESTS=(
  "test/vendors/$NAME.test.ts"
  test/vendors/registry.test.ts
  test/vendors/fixtures.test.ts
  test/vendors/new-vendor.test.ts
  test/config
  test/upgrade
  test/docs
  test/cli/send.test.ts
  test/construct/bundling.test.ts
  test/construct/callhooks.test.ts
  test/construct/configuration.test.ts
  test/construct/least-privilege.test.ts
  test/e2e/all-vendors.test.ts
  test/property
  test/repo/hygiene.test.ts
  test/security
)

cd "$ROOT"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf - | tar -xf - -C "$WORK"
ln -s "$ROOT/node_modules" "$WORK/node_modules"
cd "$WORK"

echo "== npm run new-vendor $NAME (in $WORK)"
npm run --silent new-vendor -- "$NAME"
echo "== tsc --noEmit"
npx tsc --noEmit
echo "== npm run bundle (one bundle per registry entry)"
npm run --silent bundle -- --quiet
echo "== the unit tests that cover vendors"
npx jest "${TESTS[@]}" --selectProjects unit
