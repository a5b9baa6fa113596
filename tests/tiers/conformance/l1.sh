# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# Conformance, L1 side: every probe test in /payload/probe, one RESULT
# line each.  PROBE_BREAK, PROBE_TOKENS, PROBE_ONLY and PROBE_REPEAT (each
# scenario up to N times, stopping at its first failure, so that its last
# RESULT line is the verdict) come from the VM's settings.  If
# $P/../kmod/apfint_host.ko exists it is loaded first.
P=/payload/probe
export PROBE_BREAK PROBE_KICK_LEGACY PROBE_KICK_DEBUG PROBE_TOKENS PROBE_SEED \
	PROBE_HOSTILE_SEED PROBE_HOSTILE_OPS PROBE_HOSTILE_LOG PROBE_EXPECT="$P/expect.tbl"

echo "PROBE host=$(uname -r)"
if [ -f "$P/../kmod/apfint_host.ko" ]; then
	# shellcheck disable=SC2086  # one word per module parameter
	if insmod "$P/../kmod/apfint_host.ko" $HOST_MODULE_ARGS; then
		echo "PROBE module=loaded"
	else
		echo "PROBE module=failed"
		echo "RESULT module_load fail insmod apfint_host.ko"
	fi
else
	echo "PROBE module=none"
fi

for t in "$P"/apf_*_test; do
	name=${t##*/}
	if [ -n "$PROBE_ONLY" ]; then
		case ",$PROBE_ONLY," in
		*",$name,"*) ;;
		*) continue ;;
		esac
	fi
	i=0 retried=
	while [ $i -lt "${PROBE_REPEAT:-1}" ]; do
		i=$((i + 1))
		echo "PROBE start $name"
		"$t" >/tmp/probe.out 2>&1
		rc=$?
		cat /tmp/probe.out
		echo "PROBE end $name rc=$rc"
		# Every page-ready taken and the vCPU still halted: under the
		# emulator's nested SVM an interrupt can land between sti and
		# hlt (tests/probe/README.md).  Once per scenario, run it again.
		if [ $rc != 0 ] && [ -z "$retried" ] &&
		   grep -q ', 0 tokens without one; halted;' /tmp/probe.out; then
			echo "PROBE retry $name: every page-ready taken, vCPU left halted"
			retried=1
			i=$((i - 1))
			continue
		fi
		[ $rc = 0 ] || break
	done
	[ "${PROBE_REPEAT:-1}" = 1 ] || echo "PROBE repeat $name runs=$i rc=$rc"
done
echo "PROBE finished"
