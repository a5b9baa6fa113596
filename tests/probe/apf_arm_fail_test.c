// SPDX-License-Identifier: GPL-2.0
/*
 * arm_fail: an EN write asking for interrupt delivery that apfint_host
 * cannot honour (another livepatch owns a function it must redirect, or
 * the module is going away) is refused with #GP and changes nothing:
 * kvm's EN keeps its previous (legacy) value and the page-ready a guest
 * task waits for still comes.  It used to be refused only after kvm had
 * taken the new value, then undone with EN = 0, which dropped kvm's queue
 * without a wake-all (AUDIT.md M-3).
 *
 * The failure is injected with apfint_host's testing-only parameter
 * test_fail_arm (test builds, APFINT_TESTING=1); elsewhere, upstream
 * included, the scenario is skipped.  The guest takes one legacy async
 * #PF (the fault resolved 300 ms later), writes EN with bit 3, reads EN
 * back and waits for the page's legacy page-ready.  Checks only,
 * no event log (the reference host skips it).
 */
#include <fcntl.h>
#include <unistd.h>
#include "probe.h"
#include "guest.h"

#define KNOB	"/sys/module/apfint_host/parameters/test_fail_arm"

enum { OBS_NP = 1, OBS_EN_GP, OBS_EN_READ, OBS_READY, OBS_DATA };

static void guest(struct gvcpu *g)
{
	uint64_t legacy = g->area_gpa | EN_LEGACY_FLAGS, v = 0;
	uint32_t tok = 0;

	g_lapic_enable();
	g_sti();
	g_wrmsr(MSR_KVM_ASYNC_PF_INT, g->vector);
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, legacy);
	g_ev(GEV_OBS, 0, OBS_NP, g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok));
	g_ev(GEV_OBS, 0, OBS_EN_GP,
	     g_wrmsr_safe(MSR_KVM_ASYNC_PF_EN, g->area_gpa | EN_INT_FLAGS));
	v = 0;
	g_rdmsr_safe(MSR_KVM_ASYNC_PF_EN, &v);
	g_ev(GEV_OBS, 0, OBS_EN_READ, v);
	g_ev(GEV_OBS, 0, OBS_READY, !g_wait_ready(tok, WAIT_HLT, 0));
	g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok);
	g_ev(GEV_OBS, 0, OBS_DATA, v);
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, 0);
}

static int knob(const char *val)
{
	int fd = open(KNOB, O_WRONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = write(fd, val, strlen(val)) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int main(void)
{
	struct vm *vm;
	struct vcpu *v;
	int r;

	probe_init("arm_fail");
	if (knob("1"))
		return probe_skip("no apfint_host test_fail_arm parameter");
	vm = vm_simple(guest, 1);
	v = vm->vcpus[0];
	/* not manual: the broken rollback waits for the work in the write */
	uffd_set_auto(vm->uffd, 300000);
	r = vm_run_report(vm, TEST_TIMEOUT_S);
	knob("0");
	if (r)
		return probe_fail("%s", v->why);
	check_eq("legacy_np", ev_obs(v, OBS_NP, ~0ULL), 14);
	check_eq("en_int_gp", ev_obs(v, OBS_EN_GP, ~0ULL), 13);
	check_eq("en_kept", ev_obs(v, OBS_EN_READ, 0),
		 APF_AREA_GPA(0) | EN_LEGACY_FLAGS);
	check_eq("ready_after_refusal", ev_obs(v, OBS_READY, 0), 1);
	check_eq("data", ev_obs(v, OBS_DATA, 0), UFFD_PATTERN(0));
	vm_destroy(vm);
	return probe_finish();
}
