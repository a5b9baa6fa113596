// SPDX-License-Identifier: GPL-2.0
/*
 * smi_keeps_queue: an SMI while a page-ready is outstanding.  SMM runs
 * with paging off and RSM turns it back on through kvm_set_cr0(), which
 * old kvm took for the guest switching paging and answered by dropping
 * the whole async queue: the task waiting for that page-ready hung after
 * every SMI.  Upstream ab4e41eb9fab ("KVM: x86: Don't clear async #PF
 * queue when CR0.PG is disabled (e.g. on #SMI)") keeps it; apfint_host
 * keeps it for interrupt-mode vCPUs when the clearing is called from
 * kvm_set_cr0() itself, which it checks at load in kvm's code (AUDIT.md
 * M-4.2: it used to match the caller's symbol name, and a compiler clone
 * of kvm_set_cr0 silently brought the drop back).
 *
 * The guest takes one 'page not present' (fault held), asks the VMM for
 * an SMI (KVM_SMI; the handler at SMBASE + 0x8000 in an SMRAM slot of
 * address space 1 is a bare RSM, as in the kernel's smm_test), and then
 * waits for the page-ready, which the VMM lets come 50 ms on.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "probe.h"
#include "guest.h"

#define SMRAM_GPA	0x30000ULL	/* the default SMBASE */
#define SMRAM_SIZE	0x10000ULL
#define SMRAM_SLOT	((1U << 16) | 2)	/* address space 1 */

enum { OBS_READY = 1, OBS_DATA };

static void guest(struct gvcpu *g)
{
	uint32_t tok = 0;
	uint64_t v = 0;

	(void)g;
	g_std_setup();
	if (g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok) != 14)
		guest_fail("no async #PF", 0, 0);
	g_ev(GEV_MARK, 0, 1, 0);
	guest_ucall(UC_TEST, 1, 0, 0);		/* SMI, then release */
	g_ev(GEV_MARK, 0, 2, 0);
	g_ev(GEV_OBS, 0, OBS_READY, !g_wait_ready(tok, WAIT_HLT, 0));
	g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok);
	g_ev(GEV_OBS, 0, OBS_DATA, v);
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, 0);
}

static int smi_errno;

static int on_test(struct vcpu *v, uint64_t sub, uint64_t arg)
{
	(void)sub;
	(void)arg;
	smi_errno = ioctl(v->fd, KVM_SMI, 0) ? errno : 0;
	v->vm->uffd->hold_until_ns = now_ns() + 50000000ULL;
	return 0;
}

int main(void)
{
	struct kvm_userspace_memory_region r = { 0 };
	struct vm *vm;
	struct vcpu *v;
	uint8_t *smram;

	probe_init("smi_keeps_queue");
	vm = vm_simple(guest, 1);
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_SMM) <= 0)
		return probe_skip("no KVM_CAP_X86_SMM");
	smram = mmap(NULL, SMRAM_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(smram != MAP_FAILED, "mmap: %s", strerror(errno));
	smram[0x8000] = 0x0f;			/* rsm */
	smram[0x8001] = 0xaa;
	r.slot = SMRAM_SLOT;
	r.guest_phys_addr = SMRAM_GPA;
	r.memory_size = SMRAM_SIZE;
	r.userspace_addr = (uint64_t)smram;
	TEST_ASSERT(!ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r),
		    "KVM_SET_USER_MEMORY_REGION SMRAM: %s", strerror(errno));
	v = vm->vcpus[0];
	v->on_test = on_test;
	vm->uffd->hold_until_ns = ~0ULL;
	uffd_set_auto(vm->uffd, 0);
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, false);
	check_eq("smi_errno", smi_errno, 0);
	check_num("np_count", ev_count(v, GEV_NP, 0), 1);
	check_num("ready_after_rsm", ev_obs(v, OBS_READY, 0), 1);
	check_num("data", ev_obs(v, OBS_DATA, 0), UFFD_PATTERN(0));
	vm_destroy(vm);
	munmap(smram, SMRAM_SIZE);
	return probe_finish();
}
