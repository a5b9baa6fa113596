// SPDX-License-Identifier: GPL-2.0
/*
 * rmmod_disarm: an armed vCPU's async work item sits in GUP behind a
 * userfaultfd, and the guest turns interrupt delivery off (EN = 0) while
 * it does.  The vCPU gives back its module reference, but the work item,
 * started while armed, still runs the module's code, and kvm's EN write
 * waits for it (cancel_work_sync).  apfint_host must then refuse the
 * unload at once (EBUSY) rather than sleep, unkillable, in its exit until
 * the page comes (AUDIT.md H-2), and unload normally once the fault is
 * resolved.  The guest says when it is about to write EN (cli first: no
 * page-ready can come in between); the VMM waits for the module's armed
 * count to drop (the disarm happened, the write is in kvm), asks for the
 * unload, gives it 3 s, and only then resolves the fault.  Without the
 * module (upstream), the fault is resolved 200 ms after the guest's word,
 * and only the guest's view is compared.
 */
#include <unistd.h>
#include "probe.h"
#include "guest.h"

#define RMMOD_WAIT_MS	3000

static struct {
	pthread_t helper;
	long armed0, armed_held;
	bool helper_started;
} rm;
static struct unload_try un;

static void guest(struct gvcpu *g)
{
	uint32_t tok = 0;
	uint64_t v = 0;
	int vec;

	(void)g;
	g_std_setup();
	g_ev(GEV_MARK, 0, 1, 0);
	if (g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok) != 14)
		guest_fail("no async #PF", 0, 0);
	g_ev(GEV_MARK, 0, 2, 0);
	g_cli();
	guest_ucall(UC_TEST, 1, 0, 0);
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, 0);	/* waits for the work item */
	g_ev(GEV_MARK, 0, 3, 0);
	vec = g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok);
	g_ev(GEV_OBS, 0, 1, vec);
	g_ev(GEV_OBS, 0, 2, v);
}

/* With the fault held: the disarm, then the unload; then the resolve. */
static void *helper_thread(void *arg)
{
	struct uffd *u = arg;

	rm.armed_held = host_counter_wait("armed_vcpus", rm.armed0, 5000);
	unload_try(&un, RMMOD_WAIT_MS);
	u->hold_until_ns = 0;
	return NULL;
}

/* vCPU thread: the guest is about to write EN = 0. */
static int on_test(struct vcpu *v, uint64_t sub, uint64_t arg)
{
	struct uffd *u = v->vm->uffd;

	(void)sub;
	(void)arg;
	if (!host_module_loaded()) {
		u->hold_until_ns = now_ns() + 200000000ULL;
		return 0;
	}
	rm.helper_started = !pthread_create(&rm.helper, NULL, helper_thread,
					    u);
	if (!rm.helper_started)
		u->hold_until_ns = 0;
	return 0;
}

int main(void)
{
	struct vm *vm;
	struct vcpu *v;
	bool mod;
	int r;

	probe_init("rmmod_disarm");
	mod = host_module_loaded();
	if (mod)
		rm.armed0 = host_counter("armed_vcpus");
	vm = vm_simple(guest, 1);
	v = vm->vcpus[0];
	v->on_test = on_test;
	vm->uffd->hold_until_ns = ~0ULL;
	uffd_set_auto(vm->uffd, 0);
	r = vm_run_report(vm, TEST_TIMEOUT_S);
	if (rm.helper_started)
		pthread_join(rm.helper, NULL);
	unload_try_end(&un);
	if (r)
		return probe_fail("%s", v->why);
	ev_print(vm, false);
	check_num("np_count", ev_count(v, GEV_NP, 0), 1);
	check_num("readies_after_disable", ev_between(v, 2, 3, GEV_NONE), 0);
	check_num("touch_after_disable", ev_obs(v, 1, ~0ULL), 0);
	check_eq("data", ev_obs(v, 2, 0), UFFD_PATTERN(0));
	vm_destroy(vm);
	if (!mod) {
		probe_note("no apfint_host loaded: unload checks skipped");
		return probe_finish();
	}
	check("disarmed_held", rm.helper_started && rm.armed_held == rm.armed0,
	      "the vCPU left interrupt mode with the fault held (armed_vcpus %ld, before %ld)",
	      rm.armed_held, rm.armed0);
	unload_try_check_prompt(&un);
	check("rmmod_refused", un.joined && un.err && un.loaded_after,
	      "refused while the work item ran (errno %d)", un.err);
	host_module_restore();
	return probe_finish();
}
