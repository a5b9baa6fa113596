/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probe's VMM library, shaped like the KVM selftests' kvm_util: each
 * ioctl wrapper comes as __foo() returning the raw result and foo()
 * asserting and naming the ioctl.  One test per file; each prints a
 * TAP line and a harness "RESULT" line per scenario.
 */
#ifndef PROBE_H
#define PROBE_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include "shared.h"
#include "../../../include/apfint_abi.h"

#define KSFT_SKIP	4

#define TEST_ASSERT(c, fmt, ...) do {					\
	if (!(c))							\
		probe_abort(__FILE__, __LINE__, #c, fmt, ##__VA_ARGS__);\
} while (0)

void probe_abort(const char *file, int line, const char *cond,
		 const char *fmt, ...) __attribute__((noreturn, format(printf, 4, 5)));

struct uffd;
struct vm;

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	size_t run_size;		/* the whole vCPU mapping */
	struct gvcpu *g;		/* host view of the guest block */
	pthread_t thread;
	void (*guest_fn)(struct gvcpu *g);
	/* test-specific ucall handler; returns 0 when handled */
	int (*on_test)(struct vcpu *v, uint64_t sub, uint64_t arg);
	volatile int stop;		/* ask the run loop to return */
	volatile int stopped;
	pid_t tid;			/* the run loop's thread */
	int result;			/* 0 done, -1 failed */
	char why[256];
};

struct vm {
	int kvm_fd;
	int fd;
	uint8_t *mem;			/* slot 0, GPA 0 */
	uint8_t *umem;			/* slot 1, GPA UFFD_GPA */
	unsigned int upages;
	struct uffd *uffd;
	bool irqchip;
	int nr_vcpus;
	struct vcpu *vcpus[MAX_VCPUS];
	struct kvm_cpuid2 *cpuid;
	uint64_t tsc_khz;
};

/* handlers.S: the guest's IDT stubs (16 bytes each) and entry point */
extern char guest_idt_stubs[];
extern char guest_start[];

/* vm.c */
struct vm_opts {
	bool no_irqchip;
	unsigned int uffd_pages;	/* 0: no uffd region */
	bool cpuid_no_apf_int;		/* clear CPUID bit 14 for the guest */
	bool cpuid_no_apf;		/* clear CPUID bit 4 for the guest */
	bool enforce_pv_cpuid;
};
void thread_pin(pthread_t t, int cpu);
int kvm_open(void);
int kvm_check_cap(long cap);
struct kvm_cpuid2 *kvm_supported_cpuid(int kvm_fd);
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn,
				    uint32_t idx);
struct vm *vm_create(const struct vm_opts *o);
void vm_destroy(struct vm *vm);
struct vcpu *vcpu_add(struct vm *vm, void (*fn)(struct gvcpu *g));
void vcpu_setup_regs(struct vcpu *v, void (*fn)(struct gvcpu *g));
void *gpa_hva(struct vm *vm, uint64_t gpa);
int __vcpu_get_msr(struct vcpu *v, uint32_t msr, uint64_t *val);
uint64_t vcpu_get_msr(struct vcpu *v, uint32_t msr);
int __vcpu_set_msr(struct vcpu *v, uint32_t msr, uint64_t val);
void vcpu_set_msr(struct vcpu *v, uint32_t msr, uint64_t val);
int vcpu_get_mp_state(struct vcpu *v);
void vcpu_set_mp_state(struct vcpu *v, int state);
/* guest TSC minus host TSC */
int vcpu_run_loop(struct vcpu *v);
void vcpu_start(struct vcpu *v);	/* run loop in a thread */
int vcpu_join(struct vcpu *v);
void vcpu_stop(struct vcpu *v);		/* kick out of KVM_RUN */
int vm_run_all(struct vm *vm, int timeout_s);

static inline uint64_t rdtsc_h(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
uint64_t now_ns(void);
void deadline_in_ms(struct timespec *dl, long ms);

/* uffd.c */
struct uffd_page {
	volatile int faulted;		/* the uffd event arrived */
	volatile int resolved;
	uint64_t fault_ns;
	uint64_t copy_tsc;		/* host TSC just before UFFDIO_COPY */
	uint64_t copy_ns;
	int copy_errno;			/* 0, or EEXIST: already mapped */
	pid_t fault_tid;		/* who faulted (UFFD_FEATURE_THREAD_ID) */
};
struct uffd {
	int fd;
	uint8_t *base;
	unsigned int pages;
	volatile int auto_delay_us;	/* <0: manual */
	/* auto mode resolves nothing before this CLOCK_MONOTONIC time */
	volatile uint64_t hold_until_ns;
	volatile int quit;
	/* faults on a page already resolved; rearm: resolve them again */
	volatile unsigned int late_faults;
	bool rearm;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct uffd_page *pg;
	/* called on the uffd thread when page n's fault arrives */
	void (*on_fault)(struct uffd *u, unsigned int n);
	void *priv;
};
struct uffd *uffd_create(uint8_t *base, unsigned int pages);
void uffd_destroy(struct uffd *u);
void uffd_set_auto(struct uffd *u, int delay_us);
void uffd_show_faulter(struct uffd *u, unsigned int n);
bool uffd_faulter_idle(struct uffd *u, unsigned int n);
int uffd_resolve(struct uffd *u, unsigned int page, int timeout_ms);
int uffd_recycle(struct uffd *u, unsigned int page, int timeout_ms);

/* trace.c: synchronise on the host's kvm_async_pf_completed tracepoint */
int trace_init(void);
int trace_wait_completed(uint64_t gpa, int timeout_ms,
			 bool (*done)(void *arg), void *arg);
bool trace_available(void);
void trace_dump(int n);
int trace_enable(const char *sys_event);	/* "irq_vectors/..." */
struct tev {
	int cpu;
	uint64_t ns;		/* CLOCK_MONOTONIC */
	char name[48];
	const char *rest;
};
int trace_for_each(void (*fn)(const struct tev *e, void *arg), void *arg);
/* CLOCK_MONOTONIC ns of gpa's completion (trace_clock mono), or 0 */
uint64_t trace_completed_ns(uint64_t gpa);

/*
 * timeline.c: one host CPU's guest entries and exits, IPIs and page-ready
 * dequeues or injections, from the trace; timeline_kicked() tells how a
 * page-ready reached a vCPU spinning in guest mode.
 */
enum { TL_IPI, TL_ENTRY, TL_EXIT, TL_READY };
#define TL_MAX	65536
struct tl_mark {
	uint64_t ns;
	int type;
};
extern struct tl_mark tl[TL_MAX];
extern int ntl;
/*
 * With two host CPUs the vCPU spins on TL_VCPU_CPU while its async work
 * and the VMM run on TL_WORK_CPU, so that only a kick (an IPI) gets it
 * out; timeline_setup() arranges that and the trace, and says whether it
 * could (tl_pinned).
 */
#define TL_VCPU_CPU	1
#define TL_WORK_CPU	0
extern bool tl_pinned;
bool timeline_setup(struct vm *vm, struct vcpu *v);
void timeline_add(const struct tev *e);
int timeline_kicked(uint64_t copy_ns, uint64_t done_ns);

/* expect.c: expectations, the table, PROBE_BREAK, TAP output */
void probe_init(const char *scenario);
const char *host_release(void);
bool host_is_old(void);		/* kernel older than 5.8 */
long expect_num(const char *key, long dflt);
bool expect_bool(const char *key, bool dflt);
bool check(const char *what, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool check_eq(const char *what, long long got, long long want);
bool check_bool(const char *key, bool got, bool upstream);
bool check_num(const char *key, long long got, long long upstream);
void probe_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int probe_finish(void);
int probe_skip(const char *why);
int probe_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

const char *probe_scenario(void);

/* events.c: print the guest's event log in a stable form */
void ev_print(struct vm *vm, bool summary_only);
const char *ev_name(uint32_t type);
uint32_t ev_count(struct vcpu *v, uint32_t type, uint32_t from);
/* the nth (0-based) event of type at or after from; NULL if none */
struct gevent *ev_find(struct vcpu *v, uint32_t type, uint32_t nth,
		       uint32_t from);
/* page-ready events (any delivery) for token at or after from */
uint32_t ev_ready_count(struct vcpu *v, uint32_t token, uint32_t from);
/* value of the last GEV_OBS with id, or def */
uint64_t ev_obs(struct vcpu *v, uint64_t id, uint64_t def);
bool ev_has_obs(struct vcpu *v, uint64_t id);
/* index of the last GEV_MARK with id, or -1 */
int ev_mark(struct vcpu *v, uint64_t id);

/* many.c: many outstanding faults per vCPU */
void guest_many(struct gvcpu *g);
void check_many(struct vm *vm, unsigned int n);

/* window.c: events of type between marks a and b (GEV_NONE: readies) */
uint32_t ev_between(struct vcpu *v, int a, int b, uint32_t type);

/* module.c: apfint_host in L1 (lifecycle scenarios) */
bool host_module_loaded(void);
long host_counter(const char *name);	/* debugfs; -1 if absent */
long host_counter_wait(const char *name, long want, int timeout_ms);
int host_module_unload(void);		/* 0 or -errno */
int host_module_reload(void);		/* 0 or -errno */
struct unload_try {
	pthread_t thread;
	int ms;
	volatile int done;
	int err;			/* errno of the unload, 0 */
	uint64_t took_ns;
	bool started, joined, loaded_after;
};
void unload_try(struct unload_try *t, int ms);
void unload_try_end(struct unload_try *t);
void unload_try_check_prompt(const struct unload_try *t);
void host_module_restore(void);

/* common.c: one vCPU, a uffd region, run, print the log */
struct vm *vm_simple(void (*fn)(struct gvcpu *g), unsigned int pages);
/* run every vCPU; on failure prints the reason; returns 0 if all done */
int vm_run_report(struct vm *vm, int timeout_s);

#define EN_INT_FLAGS	(KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_SEND_ALWAYS | \
			 KVM_ASYNC_PF_DELIVERY_AS_INT)
#define EN_LEGACY_FLAGS	(KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_SEND_ALWAYS)

#endif /* PROBE_H */
