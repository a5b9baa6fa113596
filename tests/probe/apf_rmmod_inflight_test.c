// SPDX-License-Identifier: GPL-2.0
/*
 * rmmod_inflight: apfint_host is unloaded while a legacy guest's async
 * work item sits in GUP behind a userfaultfd (what post-copy migration
 * does for minutes, forever if the source died).  A vCPU that never asked
 * for interrupt delivery is none of apfint_host's business: its work item
 * runs kvm's own code, with no frame of the module's on its stack and no
 * reference held, so the unload goes through at once, fault held
 * (AUDIT.md H-2: it slept, unkillable, in the module's exit until the
 * fault was resolved).  The uffd thread asks for the unload when the
 * worker's fault arrives, gives it 3 s, and only then resolves the fault;
 * the guest then gets its page-ready from stock kvm, and the module is
 * loaded again for the scenarios after this one.  Upstream hosts take
 * the touch synchronously (legacy EN is off there): only the guest's view
 * is compared, as in legacy.
 */
#include <unistd.h>
#include "probe.h"
#include "guest.h"

#define RMMOD_WAIT_MS	3000

static struct unload_try rm;

static void guest(struct gvcpu *g)
{
	uint32_t tok = 0;
	uint64_t v = 0;
	int vec;

	g_lapic_enable();
	g_sti();
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, g->area_gpa | EN_LEGACY_FLAGS);
	g_ev(GEV_MARK, 0, 1, 0);
	vec = g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok);
	if (vec == 14) {
		if (g_wait_ready(tok, WAIT_HLT, 0))
			guest_fail("no page ready", tok, 0);
		vec = g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok);
	}
	g_ev(GEV_OBS, 0, 1, v);
	g_ev(GEV_MARK, 0, 2, 0);
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, 0);
}

/* uffd thread: the worker (or, upstream, the vCPU) waits on page 0. */
static void on_fault(struct uffd *u, unsigned int n)
{
	if (!n && !rm.started && host_module_loaded())
		unload_try(&rm, RMMOD_WAIT_MS);
	u->hold_until_ns = 0;
}

int main(void)
{
	struct vm *vm;
	struct vcpu *v;
	bool mod;
	int r;

	probe_init("rmmod_inflight");
	mod = host_module_loaded();
	vm = vm_simple(guest, 1);
	v = vm->vcpus[0];
	vm->uffd->hold_until_ns = ~0ULL;
	vm->uffd->on_fault = on_fault;
	uffd_set_auto(vm->uffd, 0);
	r = vm_run_report(vm, TEST_TIMEOUT_S);
	unload_try_end(&rm);
	if (r)
		return probe_fail("%s", v->why);
	ev_print(vm, false);
	check_num("data", ev_obs(v, 1, 0), UFFD_PATTERN(0));
	/* the legacy scenario's protocol difference, see expect.tbl */
	check_num("np_count", ev_count(v, GEV_NP, 0), 0);
	check_num("wakeall_count", ev_ready_count(v, APFINT_WAKE_ALL_TOKEN, 0),
		  0);
	vm_destroy(vm);
	if (!mod) {
		probe_note("no apfint_host loaded: unload checks skipped");
		return probe_finish();
	}
	check("rmmod_asked", rm.started,
	      "the unload was asked with the fault held");
	unload_try_check_prompt(&rm);
	check("rmmod_done_held", rm.joined && !rm.err && !rm.loaded_after,
	      "unloaded while the legacy work item waited (errno %d)", rm.err);
	host_module_restore();
	return probe_finish();
}
