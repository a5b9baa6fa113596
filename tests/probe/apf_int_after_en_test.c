// SPDX-License-Identifier: GPL-2.0
/*
 * int_after_en: EN written (bit 3 set) before MSR_KVM_ASYNC_PF_INT, i.e.
 * with vector 0.  Upstream dequeues the wake-all anyway: the token lands
 * at offset 4 and vector 0 is raised, which the LAPIC never delivers
 * (below 16, under any priority).  So no interrupt arrives, not even once
 * the vector is written; once the guest clears the slot and ACKs, a real
 * fault gets its page-ready on the new vector as usual.
 */
#include "probe.h"
#include "guest.h"

static void guest(struct gvcpu *g)
{
	uint32_t tok = 0;
	uint64_t v;

	g_lapic_enable();
	g_sti();
	g_ev(GEV_MARK, 0, 1, 0);
	if (g_wrmsr_safe(MSR_KVM_ASYNC_PF_EN, g->area_gpa | EN_INT_FLAGS))
		guest_fail("EN MSR #GP", 0, 0);
	g_exits(3);
	g_ev(GEV_MARK, 0, 2, 0);
	g_ev(GEV_OBS, 0, 1, *g_area_token(g));
	if (g_wrmsr_safe(MSR_KVM_ASYNC_PF_INT, g->vector))
		guest_fail("INT MSR #GP", 0, 0);
	g_exits(3);
	g_ev(GEV_MARK, 0, 3, 0);
	*g_area_token(g) = 0;
	g_wrmsr(MSR_KVM_ASYNC_PF_ACK, 1);
	g_exits(2);
	g_ev(GEV_MARK, 0, 4, 0);
	if (g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok) == 14) {
		g_resolve(0);
		if (g_wait_ready(tok, WAIT_EXIT, 0))
			guest_fail("no page ready", tok, 0);
	}
	g_ev(GEV_MARK, 0, 5, 0);
	g_ev(GEV_OBS, 0, 2, tok);
}

int main(void)
{
	struct vm *vm;
	struct vcpu *v;
	struct gevent *r;
	uint32_t tok;

	probe_init("int_after_en");
	vm = vm_simple(guest, 1);
	v = vm->vcpus[0];
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, false);
	tok = ev_obs(v, 2, 0);
	check_num("readies_before_int", ev_between(v, 1, 2, GEV_NONE), 0);
	check_num("interrupts_before_int", ev_between(v, 1, 2, GEV_INT), 0);
	check_num("slot_holds_wakeall", ev_obs(v, 1, 0), APFINT_WAKE_ALL_TOKEN);
	check_num("readies_after_int", ev_between(v, 2, 4, GEV_NONE), 0);
	check_num("interrupts_after_int", ev_between(v, 2, 4, GEV_INT), 0);
	check("fault_after", tok != 0, "a 'page not present' afterwards");
	r = ev_find(v, GEV_RDY_INT, 0, ev_mark(v, 4));
	if (check("ready_after", r != NULL, "a page-ready afterwards")) {
		check_eq("ready_token", r->token, tok);
		check_num("ready_vector", r->a, APF_VECTOR);
	}
	check_num("readies_total", ev_between(v, 1, 5, GEV_NONE), 1);
	return probe_finish();
}
