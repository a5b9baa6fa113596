// SPDX-License-Identifier: GPL-2.0
/* The shape most tests share. */
#include "probe.h"

struct vm *vm_simple(void (*fn)(struct gvcpu *g), unsigned int pages)
{
	struct vm_opts o = { .uffd_pages = pages };
	struct vm *vm = vm_create(&o);

	vcpu_add(vm, fn);
	return vm;
}

int vm_run_report(struct vm *vm, int timeout_s)
{
	int i, r = vm_run_all(vm, timeout_s);

	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->result)
			printf("# v%d: %s\n", i, vm->vcpus[i]->why);
	if (r)
		ev_print(vm, false);	/* what the guest saw up to there */
	return r;
}
