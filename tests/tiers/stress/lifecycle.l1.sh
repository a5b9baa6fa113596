# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# Lifecycle under traffic, in an L1 running an old host; CYCLES from the
# harness's settings.  Prints RESULT lines:
#  load   CYCLES x: insmod apfint_host, a VM arms interrupt delivery and
#         takes faults (many_multi: 4 vCPUs x 12, every token exactly
#         once), it exits, no per-vCPU state is left, rmmod;
#  busy   CYCLES rmmod attempts while a VM is armed with faults held, each
#         refused, traffic (many_multi) passing between them;
#  kill   CYCLES x SIGKILL of the VMM with faults in flight: its per-vCPU
#         state goes back to 0, and rmmod works afterwards.
. /lib/apfint/common.sh
P=/payload
export PROBE_EXPECT=$P/probe/expect.tbl

# traffic: one many_multi run; true when it passed.
traffic() { "$P/probe/apf_many_multi_test" >/tmp/traffic.out 2>&1; }

# states_drain: true once apfint_host holds no per-vCPU state (a killed
# VMM's vCPUs are freed by its last fd's release, after the kill).
states_drain() {
	local i=0
	while [ "$(host_counter vcpu_states)" != 0 ]; do
		[ $i -ge 300 ] && return 1
		sleep 0.1	# polls the counter
		i=$((i + 1))
	done
}

# hold_start FAULTS VCPUS: apf_hold in the background, $hold its pid;
# true once it says every fault is in flight.
hold_start() {
	rm -f /tmp/hold.out
	"$P/apf_hold" "$1" "$2" >/tmp/hold.out 2>&1 &
	hold=$!
	while ! grep -q '^HOLD ready' /tmp/hold.out 2>/dev/null; do
		kill -0 $hold 2>/dev/null || return 1
		sleep 0.1	# polls its output
	done
}

fail_with() { result "$1 fail $2"; tail -n 5 /tmp/traffic.out /tmp/hold.out 2>/dev/null | sed 's/^/# /'; }

i=0 why=
while [ $i -lt "$CYCLES" ] && [ -z "$why" ]; do
	i=$((i + 1))
	if ! insmod $P/apfint_host.ko; then
		why="insmod failed in cycle $i"
	elif ! traffic; then
		why="many_multi failed in cycle $i"
	elif ! states_drain; then
		why="vcpu_states=$(host_counter vcpu_states) after cycle $i's VM exited"
	elif ! rmmod apfint_host; then
		why="rmmod failed in cycle $i"
	fi
done
if [ -z "$why" ]; then
	result "load ok $i cycles"
else
	fail_with load "$why"
fi
lsmod | grep -q '^apfint_host' || insmod $P/apfint_host.ko

why= refused=0
if ! hold_start 4 2; then
	why="apf_hold never got its faults in flight"
fi
armed0=$(host_counter armed_vcpus)
i=0
while [ $i -lt "$CYCLES" ] && [ -z "$why" ]; do
	i=$((i + 1))
	if rmmod apfint_host 2>/dev/null; then
		why="rmmod succeeded in attempt $i with a VM armed"
	else
		refused=$((refused + 1))
	fi
	if [ $((i % 10)) = 0 ] && [ -z "$why" ] && ! traffic; then
		why="many_multi failed beside the armed VM, attempt $i"
	fi
done
armed=$(host_counter armed_vcpus)
[ -z "$why" ] && [ "$armed" != "$armed0" ] &&
	why="armed_vcpus went from $armed0 to $armed under the attempts"
kill -9 $hold 2>/dev/null
wait $hold 2>/dev/null
if [ -z "$why" ]; then
	result "busy ok $refused of $i rmmod attempts refused, armed_vcpus=$armed throughout"
else
	fail_with busy "$why"
fi

why= i=0
while [ $i -lt "$CYCLES" ] && [ -z "$why" ]; do
	i=$((i + 1))
	if ! hold_start 4 2; then
		why="apf_hold never got its faults in flight, cycle $i"
		break
	fi
	kill -9 $hold
	wait $hold 2>/dev/null
	states_drain || why="vcpu_states=$(host_counter vcpu_states) after kill $i"
done
if [ -z "$why" ] && [ "$(host_counter armed_vcpus)" = 0 ] &&
   rmmod apfint_host; then
	result "kill ok $i VMMs killed with 8 faults in flight each, then unloaded"
else
	fail_with kill "${why:-armed_vcpus=$(host_counter armed_vcpus) or rmmod failed}"
fi
