#!/usr/bin/env bash
# `npm test`'s lint and build, side by side. Each is a chain of single-threaded processes (tsc over every file, tests
# included — the build compiles only the apps and libs, and jest does not type-check —, eslint, prettier;
# tsc, tsc-alias, the web's tsc, vite) and neither reads what the other writes (the build writes only dist/
# and apps/web/dist/, which lint ignores), so on 2 cores the pair takes about as long as the longer one
# instead of the sum. Each one's output is shown whole when it ends; either failing fails the step.
set -uo pipefail
cd "$(dirname "$0")/.."

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

npm run lint >"$logs/lint" 2>&1 &
lint=$!
npm run build >"$logs/build" 2>&1 &
build=$!

wait "$lint"
lint_status=$?
cat "$logs/lint"
wait "$build"
build_status=$?
cat "$logs/build"

if ((lint_status != 0)); then echo "lint failed ($lint_status)" >&2; fi
if ((build_status != 0)); then echo "build failed ($build_status)" >&2; fi
((lint_status == 0 && build_status == 0))
