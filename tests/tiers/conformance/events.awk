# SPDX-License-Identifier: GPL-2.0
# The probe's event log from consoles (tests/tiers/conformance/run): the
# EV lines left of the '|', what every host must agree on.  Per scenario
# its last finished run, over every boot (with PROBE_REPEAT or a resume,
# the run its verdict comes from), scenarios in the order they first ran.
/^PROBE start apf_.*_test$/ {
	s = $3; sub(/^apf_/, "", s); sub(/_test$/, "", s)
	if (!(s in seen)) { order[k++] = s; seen[s] = 1 }
	bn = 0
}
/^EV / { sub(/ *\|.*$/, ""); b[bn++] = $0 }
/^PROBE end apf_.*_test / {
	s = $3; sub(/^apf_/, "", s); sub(/_test$/, "", s)
	for (j = 0; j < bn; j++) ev[s, j] = b[j]
	n[s] = bn; bn = 0
}
END {
	for (i = 0; i < k; i++)
		for (j = 0; j < n[order[i]]; j++)
			print ev[order[i], j]
}
