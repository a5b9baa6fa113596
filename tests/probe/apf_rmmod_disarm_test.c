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
#define _GNU_SOURCE
#include <unistd.h>
#include "probe.h"
#include "guest.h"

#define RMMOD_WAIT_MS	3000

static struct {
	pthread_t helper, thread;
	volatile int done;
	int err;
	long armed0, armed_held;
	uint64_t took_ns;
	bool helper_started, started, joined, loaded_after;
} rm;

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

static void *rmmod_thread(void *arg)
{
	uint64_t t0 = now_ns();

	(void)arg;
	rm.err = -host_module_unload();
	rm.took_ns = now_ns() - t0;
	rm.done = 1;
	return NULL;
}

/* With the fault held: the disarm, then the unload; then the resolve. */
static void *helper_thread(void *arg)
{
	struct uffd *u = arg;
	struct timespec dl;

	rm.armed_held = host_counter_wait("armed_vcpus", rm.armed0, 5000);
	rm.started = !pthread_create(&rm.thread, NULL, rmmod_thread, NULL);
	if (rm.started) {
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += RMMOD_WAIT_MS / 1000;
		rm.joined = !pthread_timedjoin_np(rm.thread, NULL, &dl);
		rm.loaded_after = host_module_loaded();
	}
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
	if (rm.started && !rm.joined)
		pthread_join(rm.thread, NULL);
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
	check("rmmod_prompt", rm.joined,
	      "the unload returned within %d ms with the fault held (%s, %llu ms)",
	      RMMOD_WAIT_MS, rm.done ? strerror(rm.err) : "still waiting",
	      (unsigned long long)(rm.took_ns / 1000000));
	check("rmmod_refused", rm.joined && rm.err && rm.loaded_after,
	      "refused while the work item ran (errno %d)", rm.err);
	if (host_module_loaded()) {
		r = host_module_unload();
		check_eq("rmmod_after_errno", -r, 0);
	}
	if (!host_module_loaded())
		check_eq("reload_errno", -host_module_reload(), 0);
	return probe_finish();
}
