// SPDX-License-Identifier: GPL-2.0
/*
 * init_reset: an INIT (kvm_vcpu_reset) clears the APF state: EN and INT
 * read 0, the outstanding fault's page-ready never comes, and enabling
 * again works as on a fresh vCPU (one wake-all).  vCPU 0 sends the INIT
 * IPI to vCPU 1 while vCPU 1 has a fault outstanding; the VMM then reads
 * vCPU 1's state and restarts it in 64-bit mode at a second entry point.
 */
#include "probe.h"
#include "guest.h"

#define ARMED	((volatile uint64_t *)SHARED_GPA)

static int mp_state = -1;
static uint64_t en_after = ~0ULL, int_after = ~0ULL;
static int msr_rc = -1;

static void guest_after(struct gvcpu *g)
{
	uint64_t v = ~0ULL;

	(void)g;
	g_ev(GEV_OBS, 0, 2, g_rdmsr_safe(MSR_KVM_ASYNC_PF_EN, &v));
	g_ev(GEV_OBS, 0, 3, v);
	g_ev(GEV_OBS, 0, 4, g_rdmsr_safe(MSR_KVM_ASYNC_PF_INT, &v));
	g_ev(GEV_OBS, 0, 5, v);
	g_lapic_enable();
	g_sti();
	g_ev(GEV_MARK, 0, 2, 0);
	g_exits(5);
	g_ev(GEV_MARK, 0, 3, 0);
	g_apf_enable(EN_INT_FLAGS);
	g_exits(2);
	g_ev(GEV_MARK, 0, 4, 0);
}

static void guest_target(struct gvcpu *g)
{
	uint32_t tok = 0;
	uint64_t v;

	g_std_setup();
	if (g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok) != 14)
		guest_fail("no async #PF", 0, 0);
	g_ev(GEV_OBS, 0, 1, tok);
	g_ev(GEV_MARK, 0, 1, 0);
	*ARMED = 1;
	for (;;)
		g_safe_halt();		/* until the INIT */
	(void)g;
}

static void guest_sender(struct gvcpu *g)
{
	uint64_t start = rdtsc_g();

	g_lapic_enable();
	while (!*ARMED)
		if (rdtsc_g() - start >
		    g->tsc_khz * 1000 * GUEST_TIMEOUT_S)
			guest_fail("vCPU 1 never armed", 0, 0);
	g_apic_write(APIC_ICR_HI, 1u << 24);
	g_apic_write(APIC_ICR_LO, 0x4500);	/* INIT, assert */
	guest_ucall(UC_TEST, 1, 0, 0);
}

/* vCPU 0's thread: take vCPU 1 out, inspect it, restart it. */
static int on_test(struct vcpu *v, uint64_t sub, uint64_t arg)
{
	struct vcpu *t = v->vm->vcpus[1];

	(void)sub;
	(void)arg;
	/* the reset waits for the held fault's work: let it go in 200 ms */
	v->vm->uffd->hold_until_ns = now_ns() + 200000000ULL;
	vcpu_stop(t);
	pthread_join(t->thread, NULL);
	mp_state = vcpu_get_mp_state(t);	/* processes the INIT */
	msr_rc = __vcpu_get_msr(t, MSR_KVM_ASYNC_PF_EN, &en_after);
	msr_rc += __vcpu_get_msr(t, MSR_KVM_ASYNC_PF_INT, &int_after);
	t->run->immediate_exit = 0;
	vcpu_setup_regs(t, guest_after);
	vcpu_set_mp_state(t, KVM_MP_STATE_RUNNABLE);
	vcpu_start(t);
	return 0;
}

int main(void)
{
	struct vm_opts o = { .uffd_pages = 1 };
	struct vm *vm;
	struct vcpu *v0, *v1;
	uint32_t tok;

	probe_init("init_reset");
	vm = vm_create(&o);
	v0 = vcpu_add(vm, guest_sender);
	v1 = vcpu_add(vm, guest_target);
	v0->on_test = on_test;
	vm->uffd->hold_until_ns = ~0ULL;	/* until the INIT is sent */
	uffd_set_auto(vm->uffd, 0);
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s%s%s", v0->why, v0->why[0] && v1->why[0] ? "; " : "", v1->why);
	ev_print(vm, false);
	tok = ev_obs(v1, 1, 0);
	check("fault_outstanding", tok != 0, "vCPU 1 took a 'page not present'");
	check_num("mp_state_after_init", mp_state, KVM_MP_STATE_INIT_RECEIVED);
	check_num("host_get_msrs", msr_rc, 2);
	check_num("host_en_after_init", en_after, 0);
	check_num("host_int_after_init", int_after, 0);
	check_num("guest_rdmsr_en_vector", ev_obs(v1, 2, ~0ULL), 0);
	check_num("guest_en_after_init", ev_obs(v1, 3, ~0ULL), 0);
	check_num("guest_int_after_init", ev_obs(v1, 5, ~0ULL), 0);
	check_num("ready_for_dropped_fault", ev_ready_count(v1, tok, 0), 0);
	check_num("readies_after_init", ev_between(v1, 2, 3, GEV_NONE), 0);
	check_num("wakeall_on_reenable", ev_between(v1, 3, 4, GEV_NONE), 1);
	return probe_finish();
}
