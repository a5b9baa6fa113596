// SPDX-License-Identifier: GPL-2.0
/*
 * The crowd of the load benchmark (P4, tests/tiers/bench/bench):
 *
 *   apf_crowd_bench [--legacy] VMS VCPUS CMD [ARG...]
 *
 * creates VMS VMs of VCPUS vCPUs each, every vCPU arms interrupt-based
 * 'page ready' (EN with bit 3, MSR_KVM_ASYNC_PF_INT) and then halts with
 * interrupts enabled, mostly idle as a host's many quiet guests are
 * (--legacy: enables async PF the pre-5.8 way instead, the control:
 * as many vCPUs, none of them apfint_host's business);
 * once all of them are set up it prints what apfint_host holds for them,
 *
 *   P4MEM <vcpus armed> <vcpu_states> <state_bytes>
 *
 * runs CMD (the measured VM: apf_latency_bench) to its end, tears the
 * crowd down and exits with CMD's status.  Not a conformance scenario.
 */
#include <sys/wait.h>
#include <unistd.h>
#include "probe.h"
#include "guest.h"

#define MAX_CROWD_VMS	64
#define ARM_TIMEOUT_S	300

static pthread_mutex_t crowd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t crowd_cond = PTHREAD_COND_INITIALIZER;
static int crowd_armed, crowd_failed;

static void guest_idle(struct gvcpu *g)
{
	int ok = 1;

	if (g->params[0]) {
		g_lapic_enable();
		g_wrmsr(MSR_KVM_ASYNC_PF_EN, g->area_gpa | EN_LEGACY_FLAGS);
	} else {
		ok = g_std_setup();
	}
	guest_ucall(UC_TEST, 6, ok, 0);
	for (;;)
		g_safe_halt();
}

/* UC_TEST 6: a vCPU armed (arg 1) or could not (arg 0). */
static int on_test(struct vcpu *v, uint64_t sub, uint64_t arg)
{
	(void)v;
	if (sub != 6)
		return -1;
	pthread_mutex_lock(&crowd_lock);
	if (arg)
		crowd_armed++;
	else
		crowd_failed++;
	pthread_cond_signal(&crowd_cond);
	pthread_mutex_unlock(&crowd_lock);
	return 0;
}

/* Waits until every vCPU has reported; false on a failure or timeout. */
static bool crowd_wait(int want)
{
	struct timespec end;
	bool ok = true;

	clock_gettime(CLOCK_REALTIME, &end);
	end.tv_sec += ARM_TIMEOUT_S;
	pthread_mutex_lock(&crowd_lock);
	while (ok && crowd_armed + crowd_failed < want)
		ok = !pthread_cond_timedwait(&crowd_cond, &crowd_lock, &end);
	ok = ok && !crowd_failed;
	pthread_mutex_unlock(&crowd_lock);
	return ok;
}

static int run_cmd(char **argv)
{
	pid_t pid = fork();
	int status;

	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		execv(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int main(int argc, char **argv)
{
	static struct vm *vms[MAX_CROWD_VMS];
	struct vm_opts o = { 0 };
	int nvms, nvcpus, i, j, rc;
	bool legacy = argc > 1 && !strcmp(argv[1], "--legacy");

	argv += legacy;
	argc -= legacy;
	if (argc < 4) {
		fprintf(stderr, "usage: apf_crowd_bench [--legacy] VMS VCPUS CMD [ARG...]\n");
		return 2;
	}
	nvms = atoi(argv[1]);
	nvcpus = atoi(argv[2]);
	TEST_ASSERT(nvms > 0 && nvms <= MAX_CROWD_VMS &&
		    nvcpus > 0 && nvcpus <= MAX_VCPUS, "VMS 1-%d, VCPUS 1-%d",
		    MAX_CROWD_VMS, MAX_VCPUS);
	probe_init("crowd_bench");
	for (i = 0; i < nvms; i++) {
		vms[i] = vm_create(&o);
		for (j = 0; j < nvcpus; j++) {
			struct vcpu *v = vcpu_add(vms[i], guest_idle);

			v->on_test = on_test;
			v->g->params[0] = legacy;
			vcpu_start(v);
		}
	}
	if (!crowd_wait(nvms * nvcpus)) {
		printf("BENCHERR crowd: %d of %d vCPUs set up, %d failed\n",
		       crowd_armed, nvms * nvcpus, crowd_failed);
		return 1;
	}
	if (!legacy)
		printf("P4MEM %d %ld %ld\n", crowd_armed,
		       host_counter("vcpu_states"),
		       host_counter("state_bytes"));
	fflush(stdout);
	rc = run_cmd(&argv[3]);
	for (i = 0; i < nvms; i++) {
		for (j = 0; j < nvcpus; j++) {
			vcpu_stop(vms[i]->vcpus[j]);
			vcpu_join(vms[i]->vcpus[j]);
		}
		vm_destroy(vms[i]);
	}
	return rc;
}
