# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# report_harness NAME RC OUT: turns one harness run into TAP lines: its
# verdict, then one line per RESULT the scripts printed.  Returns 1 when
# nothing more can be judged (skipped, or no result at all).
report_harness() {
	local name=$1 rc=$2 out=$3 verdict line level r test
	verdict=$(grep -v '^HARNESS note' "$out" | grep -m 1 '^HARNESS ')
	case $rc in
	77)
		echo "ok - $name # SKIP $(sed -n 's/^SKIP: //p' "$out")"
		return 1 ;;
	0) echo "ok - $name/vm (${verdict#HARNESS })" ;;
	*) echo "not ok - $name/vm (${verdict#HARNESS })" ;;
	esac
	grep -E '^(L2: )?RESULT ' "$out" | while read -r line; do
		level=l1
		case $line in "L2: "*) level=l2; line=${line#L2: } ;; esac
		# shellcheck disable=SC2086  # the RESULT line's fields
		set -- $line
		test=$level-$2 r=$3
		shift 3
		case $r in
		ok) echo "ok - $name/$test${*:+ ($*)}" ;;
		skip) echo "ok - $name/$test # SKIP $*" ;;
		*) echo "not ok - $name/$test${*:+ ($*)}" ;;
		esac
	done
	grep -q '^\(L2: \)\?RESULT ' "$out" || [ "$rc" = 0 ]
}
