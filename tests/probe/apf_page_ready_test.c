// SPDX-License-Identifier: GPL-2.0
/*
 * page_ready: after a 'page not present', the page-ready comes as the
 * INT vector through the LAPIC, with the same token at offset 4 and
 * offset 0 left alone; the guest's retry of the access (here from inside
 * its #PF handler, which waits halted) then reads the page.  The VMM
 * resolves the fault 2 ms after the async worker raised it.
 */
#include "probe.h"
#include "guest.h"

static void guest(struct gvcpu *g)
{
	uint64_t v;

	g_std_setup();
	g_ev(GEV_MARK, 0, 1, 0);
	v = g_read64(UFFD_PAGE_GPA(0));		/* blocks in the #PF handler */
	g_ev(GEV_OBS, 0, 1, v);
	g_ev(GEV_OBS, 0, 2, *g_area_token(g));
	g_ev(GEV_OBS, 0, 3, *g_area_flags(g));
}

int main(void)
{
	struct vm *vm;
	struct vcpu *v;
	struct gevent *np, *rdy;
	int mark;

	probe_init("page_ready");
	vm = vm_simple(guest, 4);
	v = vm->vcpus[0];
	uffd_set_auto(vm->uffd, 2000);
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, false);

	mark = ev_mark(v, 1);
	np = ev_find(v, GEV_NP, 0, mark < 0 ? 0 : mark);
	rdy = ev_find(v, GEV_RDY_INT, 0, mark < 0 ? 0 : mark);
	check_num("np_count", ev_count(v, GEV_NP, 0), 1);
	check_num("ready_int_count", rdy ? ev_count(v, GEV_RDY_INT, mark) : 0,
		  1);
	check_num("ready_pf_count", ev_count(v, GEV_RDY_PF, 0), 0);
	if (check("ready_event", np && rdy, "NP then RDY_INT")) {
		check_eq("ready_token_is_np_token", rdy->token, np->token);
		check_num("ready_vector", rdy->a, APF_VECTOR);
		check_num("ready_offset0_flags", rdy->b, 0);
		check("ready_after_np", rdy > np, "event order");
	}
	check_eq("retry_data", ev_obs(v, 1, 0), UFFD_PATTERN(0));
	check_num("slot_cleared", ev_obs(v, 2, ~0ULL), 0);
	check_num("flags_after", ev_obs(v, 3, ~0ULL), 0);
	return probe_finish();
}
