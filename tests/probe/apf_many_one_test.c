// SPDX-License-Identifier: GPL-2.0
/*
 * many_one: 32 faults outstanding at once on one vCPU; every token is
 * non-zero, names the vCPU, and is delivered exactly once.
 */
#include "probe.h"

#define PAGES	32

int main(void)
{
	struct vm *vm;

	probe_init("many_one");
	vm = vm_simple(guest_many, PAGES);
	vm->vcpus[0]->g->params[0] = PAGES;
	uffd_set_auto(vm->uffd, 1000);
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", vm->vcpus[0]->why);
	check_many(vm, PAGES);
	return probe_finish();
}
