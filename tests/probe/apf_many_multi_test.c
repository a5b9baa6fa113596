// SPDX-License-Identifier: GPL-2.0
/*
 * many_multi: 4 vCPUs with 12 faults outstanding each, all at once; each
 * token reaches the vCPU that took its 'page not present', exactly once.
 */
#include "probe.h"

#define VCPUS	4
#define PAGES	12

int main(void)
{
	struct vm_opts o = { .uffd_pages = VCPUS * PAGES };
	struct vm *vm;
	int i;

	probe_init("many_multi");
	vm = vm_create(&o);
	for (i = 0; i < VCPUS; i++) {
		struct vcpu *v = vcpu_add(vm, guest_many);

		v->g->params[0] = PAGES;
		v->g->params[1] = i * PAGES;
	}
	uffd_set_auto(vm->uffd, 1000);
	if (vm_run_report(vm, TEST_TIMEOUT_S)) {
		for (i = 0; i < VCPUS && !vm->vcpus[i]->result; i++)
			;
		return probe_fail("%s", i < VCPUS ? vm->vcpus[i]->why : "?");
	}
	check_many(vm, PAGES);
	return probe_finish();
}
