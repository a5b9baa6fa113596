// SPDX-License-Identifier: GPL-2.0
/*
 * legacy: EN with ENABLED but without DELIVERY_AS_INT (what guests up to
 * 5.8 write).  Upstream 5.8+ counts that as disabled: the write succeeds
 * and reads back, but no wake-all, no #PF; the faulting access just waits
 * in the host (the VMM resolves it 20 ms later).  Old hosts deliver the
 * pre-5.8 protocol instead; expect.tbl says what they must show.
 */
#include "probe.h"
#include "guest.h"

static void guest(struct gvcpu *g)
{
	uint32_t tok = 0;
	uint64_t v = 0;
	int vec;

	g_lapic_enable();
	g_sti();
	if (g_wrmsr_safe(MSR_KVM_ASYNC_PF_INT, g->vector))
		g_ev(GEV_OBS, 0, 6, 1);		/* old host: no INT MSR */
	g_ev(GEV_MARK, 0, 1, 0);
	g_ev(GEV_OBS, 0, 1, g_wrmsr_safe(MSR_KVM_ASYNC_PF_EN,
					 g->area_gpa | EN_LEGACY_FLAGS));
	g_ev(GEV_OBS, 0, 2, g_rdmsr_safe(MSR_KVM_ASYNC_PF_EN, &v));
	g_ev(GEV_OBS, 0, 3, v);
	g_exits(3);
	g_ev(GEV_MARK, 0, 2, 0);
	vec = g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok);
	g_ev(GEV_OBS, 0, 4, vec);
	if (vec == 14) {
		if (g_wait_ready(tok, WAIT_HLT, 0))
			guest_fail("no page ready", tok, 0);
		vec = g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok);
	}
	g_ev(GEV_OBS, 0, 5, v);
	g_exits(2);
	g_ev(GEV_MARK, 0, 3, 0);
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, 0);
}

int main(void)
{
	struct vm *vm;
	struct vcpu *v;

	probe_init("legacy");
	vm = vm_simple(guest, 1);
	v = vm->vcpus[0];
	uffd_set_auto(vm->uffd, 20000);
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, false);
	check_num("en_write_vector", ev_obs(v, 1, ~0ULL), 0);
	check_num("en_read_vector", ev_obs(v, 2, ~0ULL), 0);
	check_num("en_readback", ev_obs(v, 3, 0),
		  APF_AREA_GPA(0) | EN_LEGACY_FLAGS);
	check_num("wakeall_count", ev_ready_count(v, APFINT_WAKE_ALL_TOKEN, 0),
		  0);
	check_num("touch_vector", ev_obs(v, 4, ~0ULL), 0);
	check_num("np_count", ev_count(v, GEV_NP, 0), 0);
	check_num("ready_pf_count", ev_count(v, GEV_RDY_PF, 0), 0);
	check_num("ready_int_count", ev_count(v, GEV_RDY_INT, 0), 0);
	check_eq("data", ev_obs(v, 5, 0), UFFD_PATTERN(0));
	return probe_finish();
}
