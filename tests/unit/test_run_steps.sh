#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/run's steps: a tier's "STEP TIER[:ARG] [VAR=VALUE...] [AS=NAME]"
# runs that tier after the asking one, in order, with those variables and
# argument, nested steps depth first, AS renaming the TAP names; the
# counts and the exit status cover every step.
set -u
. "$(dirname "$0")/../lib/kernels.sh"
name=unit/run/steps
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/plan" "$t/probe" "$t/leaf"
cat >"$t/plan/run" <<'TIER'
#!/bin/bash
echo "ok - plan/first"
echo "STEP probe HOST=k1 AS=intel"
echo "STEP leaf:short X=2"
echo "ok - plan/second"
TIER
cat >"$t/probe/run" <<'TIER'
#!/bin/bash
echo "ok - probe/$HOST/a"
echo "not ok - probe/$HOST/b"
echo "STEP leaf X=1"
TIER
cat >"$t/leaf/run" <<'TIER'
#!/bin/bash
echo "ok - leaf/x$X${1:+-$1} # SKIP why"
TIER
chmod +x "$t"/*/run
out=$(APFINT_TIERS=$t "$APFINT_TOP/tests/run" plan 2>&1)
rc=$?
got=$(echo "$out" | grep -E '^(not )?ok |passed' | tr '\n' '|')
want='ok 1 - plan/first|ok 2 - plan/second|ok 3 - intel/k1/a|not ok 4 - intel/k1/b|ok 5 - leaf/x1 # SKIP why|ok 6 - leaf/x2-short # SKIP why|3 passed, 1 failed, 2 skipped|'
if [ "$got" = "$want" ] && [ $rc != 0 ]; then
	echo "ok - $name (6 results from 4 runs, exit $rc)"
else
	echo "not ok - $name (exit $rc)"
	echo "#   want: $want"
	echo "#   got:  $got"
fi
