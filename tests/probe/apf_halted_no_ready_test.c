// SPDX-License-Identifier: GPL-2.0
/*
 * halted_no_ready: EN = area | ENABLED | DELIVERY_AS_INT, without
 * SEND_ALWAYS, and a fault at CPL0.  kvm may not inject 'page not
 * present' into the kernel then: old kvm queues the async work and halts
 * the vCPU (KVM_REQ_APF_HALT), upstream does not go async at all.  The
 * guest sees neither a #PF nor a page-ready for that fault (upstream:
 * work->notpresent_injected is false), only the enable's wake-all, and
 * its access completes once the VMM resolves the page (20 ms).
 *
 * apfint_host must tell an injected 'page not present' from a halt (a
 * page-ready for a token the guest never saw leaks a dummy entry in
 * 5.8's guest; a page-ready withheld for one it saw hangs a task).  It
 * used to infer that from the pf_guest counter moving across kvm's call,
 * and now reads kvm's halt request; with apfint_host loaded the halt is
 * counted in halted_skipped.
 */
#include "probe.h"
#include "guest.h"

enum { OBS_VEC = 1, OBS_DATA, OBS_SLOT };

static void guest(struct gvcpu *g)
{
	uint32_t tok = 0;
	uint64_t v = 0;
	int i;

	g_lapic_enable();
	g_apf_enable(KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_DELIVERY_AS_INT);
	g_sti();
	for (i = 0; i < 20 && !g_ready_seen(APFINT_WAKE_ALL_TOKEN, 0); i++)
		g_exits(1);
	g_ev(GEV_MARK, 0, 1, 0);
	g_ev(GEV_OBS, 0, OBS_VEC, g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok));
	g_ev(GEV_OBS, 0, OBS_DATA, v);
	g_exits(5);		/* room for a page-ready that must not come */
	g_ev(GEV_MARK, 0, 2, 0);
	g_ev(GEV_OBS, 0, OBS_SLOT, *g_area_token(g));
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, 0);
}

int main(void)
{
	long skipped0 = 0;
	struct vm *vm;
	struct vcpu *v;
	bool mod;

	probe_init("halted_no_ready");
	mod = host_module_loaded();
	if (mod)
		skipped0 = host_counter("halted_skipped");
	vm = vm_simple(guest, 1);
	v = vm->vcpus[0];
	uffd_set_auto(vm->uffd, 20000);
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, false);
	check_num("np_count", ev_count(v, GEV_NP, 0), 0);
	check_num("touch_vector", ev_obs(v, OBS_VEC, ~0ULL), 0);
	check_num("data", ev_obs(v, OBS_DATA, 0), UFFD_PATTERN(0));
	check_num("readies_after_touch", ev_between(v, 1, 2, GEV_NONE), 0);
	check_num("wakeall_total", ev_ready_count(v, APFINT_WAKE_ALL_TOKEN, 0),
		  1);
	check_num("slot_after", ev_obs(v, OBS_SLOT, ~0ULL), 0);
	if (mod)
		check_eq("halted_skipped", host_counter("halted_skipped") -
			 skipped0, 1);
	vm_destroy(vm);
	return probe_finish();
}
