// SPDX-License-Identifier: GPL-2.0
/*
 * many_spin: like many_one (32 faults outstanding on one vCPU), but the
 * guest waits for the page-readies spinning with interrupts on and no
 * exits, so every delivery after the first depends on the host's
 * request/kick racing correctly with the pending mark and the ACK (a
 * lost wake-up shows as a page-ready that never comes: the guest gives
 * up after GUEST_TIMEOUT_S and the test fails).
 */
#include "probe.h"

#define PAGES	32

int main(void)
{
	struct vm *vm;

	probe_init("many_spin");
	vm = vm_simple(guest_many, PAGES);
	vm->vcpus[0]->g->params[0] = PAGES;
	vm->vcpus[0]->g->params[2] = 1;		/* spin */
	uffd_set_auto(vm->uffd, 200);
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", vm->vcpus[0]->why);
	check_many(vm, PAGES);
	return probe_finish();
}
