// SPDX-License-Identifier: GPL-2.0
/*
 * teardown_inflight: the VM goes away while its async work item is still
 * in GUP.  The guest (interrupt mode) takes one 'page not present' and
 * stops; the VMM closes every vCPU fd, the VM fd and /dev/kvm while the
 * fault is held, and only then lets the uffd thread resolve it (200 ms
 * later: kvm that flushes the work item at teardown waits in the close
 * for it).  The worker must finish and the VM be freed: no work item may
 * drop the last VM reference from inside itself (upstream 3d75b8aa5c29,
 * CVE-2024-26976: teardown then flushes the running work, a kworker
 * hung forever).  With apfint_host loaded, its per-vCPU state count and
 * armed count go back to what they were, and it unloads (it is loaded
 * again for the scenarios after this one).
 *
 * What this guards (AUDIT.md H-1): apfint_host must use the same rule as
 * the kvm it runs on for who holds the VM while the work item runs.  A
 * kvm that carries the fix but inlines its helper
 * kvm_flush_and_free_async_pf_work used to be taken for one without it.
 * To see that, build 5.4.286's kvm.ko once more with that static helper
 * marked __always_inline (a copy of arch/x86/kvm and virt/kvm built as an
 * external module against the cached tree, never the cached tree itself),
 * put it in a copy of the kernel cache entry outside the cache, e.g.
 * /var/cache/apfint/variants/5.4.286-inline/{vmlinuz,build,root}, and run
 * APFINT_KERNELS=/var/cache/apfint/variants PROBE_ONLY=apf_teardown_inflight_test
 * make conformance HOST=5.4.286-inline: the name-based rule left the
 * worker in flush_work() and vcpu_states at 1.
 */
#include <unistd.h>
#include <sys/mman.h>
#include "probe.h"
#include "guest.h"

static void guest(struct gvcpu *g)
{
	uint32_t tok = 0;
	uint64_t v;

	(void)g;
	g_std_setup();
	g_ev(GEV_MARK, 0, 1, 0);
	if (g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok) != 14)
		guest_fail("no async #PF", 0, 0);
	g_ev(GEV_MARK, 0, 2, 0);
	/* done with the fault still held: the VMM tears the VM down */
}

static bool wait_faulted(struct uffd *u, int timeout_ms)
{
	uint64_t end = now_ns() + timeout_ms * 1000000ULL;
	struct timespec ts = { .tv_nsec = 1000000 };

	while (!u->pg[0].faulted && now_ns() < end)
		nanosleep(&ts, NULL);
	return u->pg[0].faulted;
}

static bool wait_worker_idle(struct uffd *u, int timeout_ms)
{
	uint64_t end = now_ns() + timeout_ms * 1000000ULL;
	struct timespec ts = { .tv_nsec = 1000000 };

	while (!uffd_faulter_idle(u, 0) && now_ns() < end)
		nanosleep(&ts, NULL);
	return uffd_faulter_idle(u, 0);
}

int main(void)
{
	long states0 = -1, armed0 = -1;
	struct vcpu *v;
	struct uffd *u;
	struct vm *vm;
	bool mod, idle;
	int i, r;

	probe_init("teardown_inflight");
	mod = host_module_loaded();
	if (mod) {
		states0 = host_counter("vcpu_states");
		armed0 = host_counter("armed_vcpus");
	}
	vm = vm_simple(guest, 1);
	v = vm->vcpus[0];
	u = vm->uffd;
	u->hold_until_ns = ~0ULL;
	uffd_set_auto(u, 0);
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, false);
	check_num("np_count", ev_count(v, GEV_NP, 0), 1);
	if (!check("worker_faulted", wait_faulted(u, 5000),
		   "the async worker's uffd fault arrived"))
		return probe_finish();
	if (mod)
		check_eq("vcpu_states_held", host_counter("vcpu_states"),
			 states0 + 1);

	/* Tear the VM down with the fault held; resolved 200 ms on. */
	u->hold_until_ns = now_ns() + 200000000ULL;
	for (i = 0; i < vm->nr_vcpus; i++) {
		munmap(vm->vcpus[i]->run, vm->vcpus[i]->run_size);
		close(vm->vcpus[i]->fd);
	}
	close(vm->fd);
	close(vm->kvm_fd);

	idle = wait_worker_idle(u, 5000);
	if (!check("worker_finished", idle,
		   "the async worker left async_pf_execute after the resolve"))
		uffd_show_faulter(u, 0);
	if (mod) {
		check_eq("vcpu_states_after",
			 host_counter_wait("vcpu_states", states0, 5000),
			 states0);
		check_eq("armed_after", host_counter("armed_vcpus"), armed0);
		r = host_module_unload();
		check_eq("rmmod_errno", -r, 0);
		if (!r)
			check_eq("reload_errno", -host_module_reload(), 0);
	} else {
		probe_note("no apfint_host loaded: module checks skipped");
	}
	uffd_destroy(u);
	munmap(vm->mem, MEM_SIZE);
	munmap(vm->umem, vm->upages * PAGE_SIZE_4K);
	return probe_finish();
}
