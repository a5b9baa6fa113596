// SPDX-License-Identifier: GPL-2.0
/*
 * slot_busy: while the token of page-ready A still sits at offset 4, the
 * page-ready of B (already completed, on the done list) is not delivered:
 * not across exits, not on an ACK alone.  Once the guest clears offset 4
 * and ACKs, B arrives at once (before the instruction after the wrmsr).
 */
#include "probe.h"
#include "guest.h"

static void guest(struct gvcpu *g)
{
	uint32_t a = 0, b = 0;
	uint64_t v;

	g_std_setup();
	g->irq_mode = IRQ_NO_CLEAR | IRQ_NO_ACK;
	if (g_touch_safe(UFFD_PAGE_GPA(0), &v, &a) != 14 ||
	    g_touch_safe(UFFD_PAGE_GPA(1), &v, &b) != 14)
		guest_fail("no async #PF", 0, 0);
	g_resolve(0);
	g_wait_done(0);
	if (g_wait_ready(a, WAIT_EXIT, 0))
		guest_fail("no page ready for A", a, 0);
	g_ev(GEV_MARK, 0, 1, 0);
	g_resolve(1);
	g_wait_done(1);			/* B is queued now */
	g_ev(GEV_MARK, 0, 2, 0);
	g_exits(5);
	g_ev(GEV_MARK, 0, 3, 0);
	g_ev(GEV_OBS, 0, 1, *g_area_token(g));
	g_wrmsr(MSR_KVM_ASYNC_PF_ACK, 1);	/* ACK, slot still busy */
	g_ev(GEV_MARK, 0, 4, 0);
	g_exits(3);
	g_ev(GEV_MARK, 0, 5, 0);
	g->irq_mode = 0;
	*g_area_token(g) = 0;
	g_wrmsr(MSR_KVM_ASYNC_PF_ACK, 1);	/* clear + ACK */
	g_ev(GEV_MARK, 0, 6, 0);
	g_exits(2);
	g_ev(GEV_MARK, 0, 7, 0);
	g_ev(GEV_OBS, 0, 2, a);
	g_ev(GEV_OBS, 0, 3, b);
}

int main(void)
{
	struct vm *vm;
	struct vcpu *v;
	uint32_t a = 0, b = 0;
	int m[8], i;

	probe_init("slot_busy");
	vm = vm_simple(guest, 4);
	v = vm->vcpus[0];
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, false);
	for (i = 1; i < 8; i++)
		m[i] = ev_mark(v, i);
	a = ev_obs(v, 2, 0);
	b = ev_obs(v, 3, 0);
	check("ran", m[1] >= 0 && m[7] > m[1] && a && b && a != b,
	      "two faults, guest ran to the end");
	check_num("a_delivered_once", ev_ready_count(v, a, 0), 1);
	check_num("slot_holds_a", ev_obs(v, 1, 0), a);
	check_num("b_not_while_busy", ev_ready_count(v, b, m[1]) -
		  ev_ready_count(v, b, m[3]), 0);
	check_num("b_not_on_ack_alone", ev_ready_count(v, b, m[3]) -
		  ev_ready_count(v, b, m[5]), 0);
	check_num("b_at_once_on_clear_ack", ev_ready_count(v, b, m[5]) -
		  ev_ready_count(v, b, m[6]), 1);
	check_num("b_delivered_once", ev_ready_count(v, b, 0), 1);
	return probe_finish();
}
