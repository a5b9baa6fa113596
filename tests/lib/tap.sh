# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The one reading of what VM scripts print, as TAP lines for tests/run
# ("ok - name", "not ok - name", "ok - name # SKIP why"; tests/run numbers
# them).  In a VM a script prints "RESULT <test> ok|fail|skip <text>" and
# "METRIC <level> [phase=<p>] <key>=<value>...", L2's lines prefixed "L2: ".

# tap_verdict NAME VERDICT [TEXT...]: one TAP line; VERDICT ok, skip or
# anything else (fail, or empty: no result at all).
tap_verdict() {
	local name=$1 v=$2
	shift 2
	case $v in
	ok) echo "ok - $name${*:+ ($*)}" ;;
	skip) echo "ok - $name # SKIP $*" ;;
	fail) echo "not ok - $name${*:+ ($*)}" ;;
	*) echo "not ok - $name (${*:-no result})" ;;
	esac
}

# tap_check NAME TEXT STATUS: ok when STATUS is 0 (a condition's $?).
tap_check() {
	if [ "$3" = 0 ]; then echo "ok - $1 ($2)"; else echo "not ok - $1 ($2)"; fi
}

# tap_comment: stdin as TAP comment lines.
tap_comment() { sed 's/^/#   /'; }

# results_to_tap NAME OUT [levels]: one TAP line per RESULT line of OUT,
# named NAME/<test>, or with "levels" NAME/l1-<test> and NAME/l2-<test>.
# Returns 1 when OUT holds no RESULT line.
results_to_tap() {
	local name=$1 out=$2 levels=${3:-} line level test
	grep -aq '^\(L2: \)\?RESULT ' "$out" || return 1
	grep -aE '^(L2: )?RESULT ' "$out" | tr -d '\r' | while read -r line; do
		level=l1-
		case $line in "L2: "*) level=l2-; line=${line#L2: } ;; esac
		[ -n "$levels" ] || level=
		# shellcheck disable=SC2086  # the RESULT line's fields
		set -- $line
		test=$2
		shift
		shift
		tap_verdict "$name/$level$test" "$@"
	done
}

# result_of OUT TEST: "VERDICT TEXT" of the last RESULT line for TEST in
# OUT (either level), empty when there is none.
result_of() {
	grep -a "^\(L2: \)\?RESULT $2 " "$1" | tail -n 1 | tr -d '\r' |
		sed 's/^\(L2: \)\?RESULT [^ ]* //'
}

# harness_to_tap NAME RC OUT: one harness run (its exit status, its
# stdout) as TAP: NAME/vm with its verdict, then its RESULT lines
# (results_to_tap ... levels).  Returns 1 when nothing more can be judged:
# skipped, or no result at all from a failed run.
harness_to_tap() {
	local name=$1 rc=$2 out=$3 verdict
	verdict=$(grep -v '^HARNESS note' "$out" | grep -m 1 '^HARNESS ')
	case $rc in
	77)
		echo "ok - $name # SKIP $(sed -n 's/^SKIP: //p' "$out")"
		return 1 ;;
	0) echo "ok - $name/vm (${verdict#HARNESS })" ;;
	*) echo "not ok - $name/vm (${verdict#HARNESS })" ;;
	esac
	results_to_tap "$name" "$out" levels || [ "$rc" = 0 ]
}

# metric OUT LEVEL KEY [PHASE]: the last value of KEY on a "METRIC LEVEL"
# line of OUT (with PHASE: "METRIC LEVEL phase=PHASE"), either level.
metric() {
	local p=${4:+phase=$4 }
	sed -n "s/^\\(L2: \\)\\?METRIC $2 $p.*\\b$3=\\([^ ]*\\).*/\\2/p" "$1" |
		tail -n 1
}
