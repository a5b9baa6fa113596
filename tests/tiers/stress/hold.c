// SPDX-License-Identifier: GPL-2.0
/*
 * apf_hold FAULTS [VCPUS]: a VM whose vCPUs arm interrupt delivery, each
 * take FAULTS 'page not present' faults that userfaultfd never resolves,
 * and halt.  Prints "HOLD ready" once every fault is in flight, then waits
 * to be killed: the stress tier's rmmod-while-armed and VMM-kill cycles.
 */
#include <unistd.h>
#include "probe.h"
#include "guest.h"

static void guest_hold(struct gvcpu *g)
{
	uint32_t i, token;
	uint64_t val;

	g_std_setup();
	for (i = 0; i < g->params[0]; i++)
		g_touch_safe(UFFD_PAGE_GPA(g->params[1] + i), &val, &token);
	g_ev(GEV_MARK, 0, 1, 0);
	for (;;)
		g_safe_halt();
}

static bool all_held(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		if (ev_mark(vm->vcpus[i], 1) < 0)
			return false;
	return true;
}

int main(int argc, char **argv)
{
	unsigned int faults = argc > 1 ? atoi(argv[1]) : 1;
	int i, vcpus = argc > 2 ? atoi(argv[2]) : 1;
	struct vm_opts o = { .uffd_pages = faults * vcpus + 1 };
	uint64_t deadline = now_ns() + TEST_TIMEOUT_S * 1000000000ULL;
	struct vm *vm;

	probe_init("hold");
	vm = vm_create(&o);
	for (i = 0; i < vcpus; i++) {
		struct vcpu *v = vcpu_add(vm, guest_hold);

		v->g->params[0] = faults;
		v->g->params[1] = i * faults;
		vcpu_start(v);
	}
	/* a synchronous fault would block its vCPU here: no mark, no ready */
	while (!all_held(vm)) {
		if (now_ns() > deadline) {
			printf("HOLD timeout: not every fault went async\n");
			return 1;
		}
		usleep(10000);	/* polls the guest's event log */
	}
	printf("HOLD ready faults=%u vcpus=%d\n", faults, vcpus);
	fflush(stdout);
	for (;;)
		pause();
}
