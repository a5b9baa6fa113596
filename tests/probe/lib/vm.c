// SPDX-License-Identifier: GPL-2.0
/*
 * VM and vCPU setup: a flat 64-bit guest built from this very binary.
 * The image (every PT_LOAD segment) is copied into guest memory at its
 * link address, so guest code is plain C in the test files; the guest
 * runs with an identity map of 0-4 GiB in 2 MiB pages.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "probe.h"

/* Moves a thread (a vCPU's, the uffd handler's) to one host CPU. */
void thread_pin(pthread_t t, int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	pthread_setaffinity_np(t, sizeof(s), &s);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* dl = CLOCK_REALTIME now + ms, for the pthread timed waits. */
void deadline_in_ms(struct timespec *dl, long ms)
{
	clock_gettime(CLOCK_REALTIME, dl);
	dl->tv_sec += ms / 1000;
	dl->tv_nsec += (ms % 1000) * 1000000L;
	if (dl->tv_nsec >= 1000000000L) {
		dl->tv_sec++;
		dl->tv_nsec -= 1000000000L;
	}
}

int kvm_open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	TEST_ASSERT(fd >= 0, "open /dev/kvm: %s", strerror(errno));
	return fd;
}

int kvm_check_cap(long cap)
{
	int fd = kvm_open();
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	close(fd);
	return r;
}

struct kvm_cpuid2 *kvm_supported_cpuid(int kvm_fd)
{
	int n = 128;
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	TEST_ASSERT(c, "calloc");
	c->nent = n;
	TEST_ASSERT(!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c),
		    "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	return c;
}

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn,
				    uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn &&
		    (c->entries[i].index == idx ||
		     !(c->entries[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX)))
			return &c->entries[i];
	return NULL;
}

void *gpa_hva(struct vm *vm, uint64_t gpa)
{
	if (gpa < MEM_SIZE)
		return vm->mem + gpa;
	if (gpa >= UFFD_GPA && gpa < UFFD_PAGE_GPA(vm->upages))
		return vm->umem + (gpa - UFFD_GPA);
	TEST_ASSERT(0, "no memory at GPA 0x%llx", (unsigned long long)gpa);
}

static int copy_segment(struct dl_phdr_info *info, size_t size, void *data)
{
	struct vm *vm = data;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		uint64_t va = info->dlpi_addr + p->p_vaddr;

		if (p->p_type != PT_LOAD)
			continue;
		TEST_ASSERT(va >= IMAGE_MIN_GPA && va + p->p_memsz < MEM_SIZE,
			    "segment at 0x%llx outside guest memory "
			    "(build static, non-PIE)", (unsigned long long)va);
		memcpy(vm->mem + va, (void *)va, p->p_memsz);
	}
	return 1;	/* the executable only */
}

static void build_tables(struct vm *vm)
{
	uint64_t *pml4 = gpa_hva(vm, PT_PML4_GPA);
	uint64_t *pdpt = gpa_hva(vm, PT_PDPT_GPA);
	uint64_t *pd = gpa_hva(vm, PT_PD_GPA);
	uint64_t *gdt = gpa_hva(vm, GDT_GPA);
	uint64_t *idt = gpa_hva(vm, IDT_GPA);
	uint64_t tss = TSS_GPA, stub;
	int i;

	pml4[0] = PT_PDPT_GPA | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PT_PD_GPA + i * 0x1000) | 3;
	for (i = 0; i < 4 * 512; i++) {
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* P, RW, PS */
		if ((uint64_t)i << 21 == (APIC_GPA & ~0x1fffffULL))
			pd[i] |= 0x18;			/* PCD, PWT */
	}

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffULL;		/* 0x08: code64 */
	gdt[2] = 0x00cf93000000ffffULL;		/* 0x10: data */
	gdt[3] = 0x67 | ((tss & 0xffffff) << 16) | (0x89ULL << 40) |
		 ((tss >> 24) & 0xff) << 56;	/* 0x18: TSS */
	gdt[4] = tss >> 32;
	*(uint16_t *)gpa_hva(vm, TSS_GPA + 102) = 104;	/* no I/O bitmap */

	for (i = 0; i < 256; i++) {
		stub = (uint64_t)guest_idt_stubs + i * 16;
		idt[2 * i] = (stub & 0xffff) | (0x08ULL << 16) |
			     (0x8eULL << 40) | ((stub >> 16) & 0xffff) << 48;
		idt[2 * i + 1] = stub >> 32;
	}
}

struct vm *vm_create(const struct vm_opts *o)
{
	static const struct vm_opts none;
	struct kvm_userspace_memory_region r = { 0 };
	struct vm *vm = calloc(1, sizeof(*vm));

	if (!o)
		o = &none;
	TEST_ASSERT(vm, "calloc");
	vm->kvm_fd = kvm_open();
	vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	TEST_ASSERT(vm->fd >= 0, "KVM_CREATE_VM: %s", strerror(errno));
	if (!o->no_irqchip) {
		TEST_ASSERT(!ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0),
			    "KVM_CREATE_IRQCHIP: %s", strerror(errno));
		vm->irqchip = true;
	}

	vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(vm->mem != MAP_FAILED, "mmap guest memory");
	r.slot = 0;
	r.guest_phys_addr = 0;
	r.memory_size = MEM_SIZE;
	r.userspace_addr = (uint64_t)vm->mem;
	TEST_ASSERT(!ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r),
		    "KVM_SET_USER_MEMORY_REGION 0: %s", strerror(errno));

	dl_iterate_phdr(copy_segment, vm);
	build_tables(vm);

	if (o->uffd_pages) {
		TEST_ASSERT(o->uffd_pages <= UFFD_MAX_PAGES, "too many pages");
		vm->upages = o->uffd_pages;
		vm->umem = mmap(NULL, vm->upages * PAGE_SIZE_4K,
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
		TEST_ASSERT(vm->umem != MAP_FAILED, "mmap uffd region");
		vm->uffd = uffd_create(vm->umem, vm->upages);
		r.slot = 1;
		r.guest_phys_addr = UFFD_GPA;
		r.memory_size = vm->upages * PAGE_SIZE_4K;
		r.userspace_addr = (uint64_t)vm->umem;
		TEST_ASSERT(!ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r),
			    "KVM_SET_USER_MEMORY_REGION 1: %s",
			    strerror(errno));
	}

	vm->cpuid = kvm_supported_cpuid(vm->kvm_fd);
	if (o->cpuid_no_apf_int || o->cpuid_no_apf) {
		struct kvm_cpuid_entry2 *e;

		e = cpuid_find(vm->cpuid, KVM_CPUID_FEATURES, 0);
		if (e && o->cpuid_no_apf_int)
			e->eax &= ~(1u << KVM_FEATURE_ASYNC_PF_INT);
		if (e && o->cpuid_no_apf)
			e->eax &= ~(1u << KVM_FEATURE_ASYNC_PF);
	}
	return vm;
}

void vm_destroy(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		munmap(vm->vcpus[i]->run, vm->vcpus[i]->run_size);
		close(vm->vcpus[i]->fd);
		free(vm->vcpus[i]);
	}
	if (vm->uffd)
		uffd_destroy(vm->uffd);
	close(vm->fd);
	close(vm->kvm_fd);
	munmap(vm->mem, MEM_SIZE);
	if (vm->umem)
		munmap(vm->umem, vm->upages * PAGE_SIZE_4K);
	free(vm->cpuid);
	free(vm);
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

void vcpu_setup_regs(struct vcpu *v, void (*fn)(struct gvcpu *g))
{
	struct kvm_sregs sr;
	struct kvm_regs regs;

	TEST_ASSERT(!ioctl(v->fd, KVM_GET_SREGS, &sr), "KVM_GET_SREGS");
	seg(&sr.cs, 0x08, 11, 1);
	seg(&sr.ds, 0x10, 3, 0);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	sr.gs.base = GVCPU_GPA(v->id);
	memset(&sr.tr, 0, sizeof(sr.tr));
	sr.tr.selector = 0x18;
	sr.tr.base = TSS_GPA;
	sr.tr.limit = 0x67;
	sr.tr.type = 11;
	sr.tr.present = 1;
	sr.gdt.base = GDT_GPA;
	sr.gdt.limit = 5 * 8 - 1;
	sr.idt.base = IDT_GPA;
	sr.idt.limit = 256 * 16 - 1;
	sr.cr0 = 0x80050033;		/* PG AM WP NE ET MP PE */
	sr.cr3 = PT_PML4_GPA;
	sr.cr4 = 0x620;			/* OSXMMEXCPT OSFXSR PAE */
	sr.efer = 0x500;		/* LMA LME */
	TEST_ASSERT(!ioctl(v->fd, KVM_SET_SREGS, &sr), "KVM_SET_SREGS: %s",
		    strerror(errno));

	memset(&regs, 0, sizeof(regs));
	regs.rip = (uint64_t)guest_start;
	regs.rdi = GVCPU_GPA(v->id);
	regs.rsi = (uint64_t)fn;
	regs.rsp = STACK_TOP(v->id);
	regs.rflags = 2;
	TEST_ASSERT(!ioctl(v->fd, KVM_SET_REGS, &regs), "KVM_SET_REGS");
	v->guest_fn = fn;
}

struct vcpu *vcpu_add(struct vm *vm, void (*fn)(struct gvcpu *g))
{
	struct vcpu *v = calloc(1, sizeof(*v));
	int sz, khz;

	TEST_ASSERT(v && vm->nr_vcpus < MAX_VCPUS, "vcpu_add");
	v->vm = vm;
	v->id = vm->nr_vcpus;
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, v->id);
	TEST_ASSERT(v->fd >= 0, "KVM_CREATE_VCPU: %s", strerror(errno));
	sz = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->run_size = sz;
	v->run = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	TEST_ASSERT(v->run != MAP_FAILED, "mmap kvm_run");
	TEST_ASSERT(!ioctl(v->fd, KVM_SET_CPUID2, vm->cpuid),
		    "KVM_SET_CPUID2: %s", strerror(errno));

	khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);
	if (khz > 0)
		vm->tsc_khz = khz;
	v->g = gpa_hva(vm, GVCPU_GPA(v->id));
	memset(v->g, 0, sizeof(*v->g));
	v->g->self = GVCPU_GPA(v->id);
	v->g->id = v->id;
	v->g->vector = APF_VECTOR;
	v->g->area_gpa = APF_AREA_GPA(v->id);
	v->g->tsc_khz = khz > 0 ? khz : 0;
	vcpu_setup_regs(v, fn);
	if (v->id && vm->irqchip)
		vcpu_set_mp_state(v, KVM_MP_STATE_RUNNABLE);
	vm->vcpus[vm->nr_vcpus++] = v;
	return v;
}

int __vcpu_get_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = msr };
	int r = ioctl(v->fd, KVM_GET_MSRS, &m);

	*val = m.e.data;
	return r;
}

uint64_t vcpu_get_msr(struct vcpu *v, uint32_t msr)
{
	uint64_t val;
	int r = __vcpu_get_msr(v, msr, &val);

	TEST_ASSERT(r == 1, "KVM_GET_MSRS 0x%x: %d", msr, r);
	return val;
}

int __vcpu_set_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = msr, .e.data = val };

	return ioctl(v->fd, KVM_SET_MSRS, &m);
}

void vcpu_set_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	int r = __vcpu_set_msr(v, msr, val);

	TEST_ASSERT(r == 1, "KVM_SET_MSRS 0x%x=0x%llx: %d", msr,
		    (unsigned long long)val, r);
}

int vcpu_get_mp_state(struct vcpu *v)
{
	struct kvm_mp_state s;

	TEST_ASSERT(!ioctl(v->fd, KVM_GET_MP_STATE, &s), "KVM_GET_MP_STATE");
	return s.mp_state;
}

void vcpu_set_mp_state(struct vcpu *v, int state)
{
	struct kvm_mp_state s = { .mp_state = state };

	TEST_ASSERT(!ioctl(v->fd, KVM_SET_MP_STATE, &s), "KVM_SET_MP_STATE");
}

static int vfail(struct vcpu *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int vfail(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
	v->result = -1;
	return -1;
}

struct faulter_wait {
	struct uffd *u;
	unsigned int page;
};

static bool faulter_idle(void *arg)
{
	struct faulter_wait *w = arg;

	return uffd_faulter_idle(w->u, w->page);
}

static int handle_ucall(struct vcpu *v)
{
	struct gvcpu *g = v->g;
	uint64_t cmd = g->cmd, a0 = g->arg[0], a1 = g->arg[1];
	struct vm *vm = v->vm;
	struct faulter_wait wait;

	g->cmd = UC_NONE;
	switch (cmd) {
	case UC_DONE:
		v->result = 0;
		return 1;
	case UC_FAIL:
		vfail(v, "guest v%d: %.96s (0x%llx, 0x%llx)", v->id, g->msg,
		      (unsigned long long)a0, (unsigned long long)a1);
		return 1;
	case UC_LOG:
		printf("LOG v%d: %.96s 0x%llx 0x%llx\n", v->id, g->msg,
		       (unsigned long long)a0, (unsigned long long)a1);
		return 0;
	case UC_NOP:
		return 0;
	case UC_RESOLVE:
		if (!vm->uffd || uffd_resolve(vm->uffd, a0, 10000)) {
			vfail(v, "v%d: page %llu: no uffd fault to resolve",
			      v->id, (unsigned long long)a0);
			return 1;
		}
		return 0;
	case UC_WAIT_DONE:
		/*
		 * Old kernels under emulation sometimes lose the completed
		 * event although the work ran to its end; its worker back in
		 * worker_thread() has queued the completion, so that counts
		 * too (said in a note).  What follows still checks delivery.
		 */
		wait.u = vm->uffd;
		wait.page = a0;
		switch (trace_wait_completed(UFFD_PAGE_GPA(a0), 10000,
					     vm->uffd ? faulter_idle : NULL,
					     &wait)) {
		case 0:
			return 0;
		case 1:
			printf("# note: page %llu: no kvm_async_pf_completed event, but its worker is idle: taken as completed\n",
			       (unsigned long long)a0);
			return 0;
		}
		if (vm->uffd)
			uffd_show_faulter(vm->uffd, a0);
		vfail(v, "v%d: page %llu: async work never completed",
		      v->id, (unsigned long long)a0);
		return 1;
	case UC_TEST:
		if (!v->on_test || v->on_test(v, a0, a1)) {
			if (!v->why[0])
				vfail(v, "v%d: test ucall %llu failed", v->id,
				      (unsigned long long)a0);
			v->result = -1;
			return 1;
		}
		return 0;
	}
	vfail(v, "v%d: bad ucall %llu", v->id, (unsigned long long)cmd);
	return 1;
}

/* Returns 0 when the guest said DONE, -1 on failure, 1 when stopped. */
int vcpu_run_loop(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	int r;

	for (;;) {
		if (v->stop) {
			v->stopped = 1;
			return 1;
		}
		r = ioctl(v->fd, KVM_RUN, 0);
		if (r < 0 && errno == EINTR) {
			run->immediate_exit = 0;
			continue;
		}
		if (r < 0)
			return vfail(v, "v%d: KVM_RUN: %s", v->id,
				     strerror(errno));
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.port == UCALL_PORT &&
			    run->io.direction == KVM_EXIT_IO_OUT) {
				if (handle_ucall(v))
					return v->result;
				break;
			}
			return vfail(v, "v%d: stray I/O to port 0x%x", v->id,
				     run->io.port);
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_SHUTDOWN:
			return vfail(v, "v%d: guest shutdown (triple fault)",
				     v->id);
		case KVM_EXIT_MMIO:
			return vfail(v, "v%d: MMIO at 0x%llx", v->id,
				     (unsigned long long)run->mmio.phys_addr);
		default:
			return vfail(v, "v%d: unexpected exit reason %u",
				     v->id, run->exit_reason);
		}
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	v->tid = gettid();
	vcpu_run_loop(v);
	v->stopped = 1;
	return NULL;
}

void vcpu_start(struct vcpu *v)
{
	v->stop = 0;
	v->stopped = 0;
	v->result = -1;
	v->why[0] = 0;
	TEST_ASSERT(!pthread_create(&v->thread, NULL, vcpu_thread, v),
		    "pthread_create");
}

void vcpu_stop(struct vcpu *v)
{
	int i;

	v->stop = 1;
	v->run->immediate_exit = 1;
	for (i = 0; i < 10000 && !v->stopped; i++) {
		pthread_kill(v->thread, SIGUSR1);
		usleep(1000);	/* re-send until the loop noticed */
	}
}

int vcpu_join(struct vcpu *v)
{
	pthread_join(v->thread, NULL);
	return v->result;
}

/*
 * The watchdog's report on a vCPU it stopped: besides the counts, whether
 * the vCPU sat halted or runnable, when its last event came (ms after its
 * first: a late page-ready and a vCPU that never woke look alike in the
 * counts alone), how many of its tokens had no page-ready, and how many
 * uffd faults were still unresolved.
 */
static void vcpu_timeout_why(struct vm *vm, struct vcpu *v, int timeout_s)
{
	struct gvcpu *g = v->g;
	uint32_t n = g->nr_ev < MAX_EV ? g->nr_ev : MAX_EV;
	int mp = vcpu_get_mp_state(v);
	char last[64] = "none";
	unsigned int p, open = 0, missing = 0;
	uint32_t i;

	if (n && vm->tsc_khz)
		snprintf(last, sizeof(last), "%s at %.1f ms",
			 ev_name(g->ev[n - 1].type),
			 (double)(g->ev[n - 1].tsc - g->ev[0].tsc) /
			 vm->tsc_khz);
	for (i = 0; i < n; i++)
		missing += g->ev[i].type == GEV_NP &&
			   !ev_ready_count(v, g->ev[i].token, 0);
	for (p = 0; vm->uffd && p < vm->uffd->pages; p++)
		open += vm->uffd->pg[p].faulted && !vm->uffd->pg[p].resolved;
	snprintf(v->why, sizeof(v->why),
		 "v%d: timeout after %d s (%u events, %u ready, %u tokens "
		 "without one; %s; last: %s; open uffd faults: %u)", v->id,
		 timeout_s, g->nr_ev, g->nr_ready, missing,
		 mp == KVM_MP_STATE_HALTED ? "halted" :
		 mp == KVM_MP_STATE_RUNNABLE ? "runnable" : "other mp_state",
		 last, open);
}

/* Where a vCPU's thread sits in the kernel when the watchdog fires. */
static void show_stack(struct vcpu *v)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", v->tid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("# v%d stack: %s", v->id, line);
	fclose(f);
}

int vm_run_all(struct vm *vm, int timeout_s)
{
	struct timespec dl;
	int i, j, r = 0;

	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_start(vm->vcpus[i]);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += timeout_s;
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (!pthread_timedjoin_np(vm->vcpus[i]->thread, NULL, &dl))
			continue;
		/* watchdog: kick every remaining vCPU out and report */
		for (j = i; j < vm->nr_vcpus; j++)
			if (!vm->vcpus[j]->stopped)
				show_stack(vm->vcpus[j]);
		for (j = i; j < vm->nr_vcpus; j++) {
			struct vcpu *v = vm->vcpus[j];
			int done = v->stopped;

			vcpu_stop(v);
			pthread_join(v->thread, NULL);
			if (done)
				continue;
			vcpu_timeout_why(vm, v, timeout_s);
			v->result = -1;
		}
		break;
	}
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->result)
			r = -1;
	return r;
}
