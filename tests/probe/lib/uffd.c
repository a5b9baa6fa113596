// SPDX-License-Identifier: GPL-2.0
/*
 * The userfaultfd-backed region: every page is missing until the probe
 * copies it in, so the first guest touch makes KVM go async; the fault
 * the async worker then raises arrives here.  Pages are resolved either
 * on the guest's request (manual) or a fixed delay after their fault
 * (auto).  The copy time is recorded for the latency measurements.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include "probe.h"

static int copy_page(struct uffd *u, unsigned int n)
{
	uint64_t src[PAGE_SIZE_4K / 8] __attribute__((aligned(4096)));
	struct uffdio_copy c = { 0 };
	struct uffd_page *p = &u->pg[n];
	unsigned int i;

	for (i = 0; i < PAGE_SIZE_4K / 8; i++)
		src[i] = UFFD_PATTERN(n) + i * 0x10000;
	c.dst = (uint64_t)u->base + n * PAGE_SIZE_4K;
	c.src = (uint64_t)src;
	c.len = PAGE_SIZE_4K;
	p->copy_ns = now_ns();
	p->copy_tsc = rdtsc_h();
	if (ioctl(u->fd, UFFDIO_COPY, &c)) {
		p->copy_errno = errno;
		if (errno != EEXIST)
			return -1;
	}
	p->resolved = 1;
	pthread_cond_broadcast(&u->cond);
	return 0;
}

/*
 * Auto mode: resolve every faulted page auto_delay_us after its fault,
 * without holding up the reading of later faults.
 */
static int resolve_due(struct uffd *u)
{
	uint64_t now = now_ns(), next = ~0ULL, due;
	unsigned int n;

	if (u->auto_delay_us < 0)
		return 50;
	/* against uffd_recycle(), which resets a page's state */
	pthread_mutex_lock(&u->lock);
	for (n = 0; n < u->pages; n++) {
		struct uffd_page *p = &u->pg[n];

		if (!p->faulted || p->resolved)
			continue;
		due = p->fault_ns + u->auto_delay_us * 1000ULL;
		if (due < u->hold_until_ns)
			due = u->hold_until_ns;
		if (due <= now)
			copy_page(u, n);
		else if (due < next)
			next = due;
	}
	pthread_mutex_unlock(&u->lock);
	if (next - now >= 50000000ULL)
		return 50;	/* also picks up a changed hold soon enough */
	return (next - now) / 1000000 + 1;
}

static void *uffd_thread(void *arg)
{
	struct uffd *u = arg;
	struct uffd_msg m;
	struct pollfd pfd = { .fd = u->fd, .events = POLLIN };
	unsigned int n;
	int timeout = 50;

	while (!u->quit) {
		if (poll(&pfd, 1, timeout) > 0 &&
		    read(u->fd, &m, sizeof(m)) == sizeof(m) &&
		    m.event == UFFD_EVENT_PAGEFAULT) {
			n = (m.arg.pagefault.address - (uint64_t)u->base) /
			    PAGE_SIZE_4K;
			if (n < u->pages) {
				pthread_mutex_lock(&u->lock);
				/*
				 * A fault on a page already resolved: it is
				 * missing again (recycled).  Counted; with
				 * rearm, resolved again rather than left to
				 * block its thread for good.
				 */
				if (u->pg[n].faulted && u->pg[n].resolved) {
					u->late_faults++;
					if (u->rearm)
						u->pg[n].faulted = 0;
				}
				if (!u->pg[n].faulted) {
					u->pg[n].fault_ns = now_ns();
					u->pg[n].fault_tid =
						m.arg.pagefault.feat.ptid;
					u->pg[n].resolved = 0;
					u->pg[n].faulted = 1;
				}
				pthread_cond_broadcast(&u->cond);
				pthread_mutex_unlock(&u->lock);
				if (u->on_fault)
					u->on_fault(u, n);
			}
		}
		timeout = resolve_due(u);
	}
	return NULL;
}

struct uffd *uffd_create(uint8_t *base, unsigned int pages)
{
	struct uffd *u = calloc(1, sizeof(*u));
	struct uffdio_api api = {
		.api = UFFD_API, .features = UFFD_FEATURE_THREAD_ID,
	};
	struct uffdio_register reg = { 0 };

	TEST_ASSERT(u, "calloc");
	u->pg = calloc(pages, sizeof(*u->pg));
	u->base = base;
	u->pages = pages;
	u->auto_delay_us = -1;
	u->fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	TEST_ASSERT(u->fd >= 0, "userfaultfd: %s", strerror(errno));
	TEST_ASSERT(!ioctl(u->fd, UFFDIO_API, &api), "UFFDIO_API: %s",
		    strerror(errno));
	reg.range.start = (uint64_t)base;
	reg.range.len = pages * PAGE_SIZE_4K;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	TEST_ASSERT(!ioctl(u->fd, UFFDIO_REGISTER, &reg),
		    "UFFDIO_REGISTER: %s", strerror(errno));
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->cond, NULL);
	TEST_ASSERT(!pthread_create(&u->thread, NULL, uffd_thread, u),
		    "pthread_create");
	return u;
}

void uffd_destroy(struct uffd *u)
{
	u->quit = 1;
	pthread_join(u->thread, NULL);
	close(u->fd);
	free(u->pg);
	free(u);
}

void uffd_set_auto(struct uffd *u, int delay_us)
{
	u->auto_delay_us = delay_us;
}

/*
 * Where the thread that faulted on page n is now (a diagnostic for work
 * that never completed): its name and kernel stack, as comment lines.
 */
void uffd_show_faulter(struct uffd *u, unsigned int n)
{
	char path[64], line[256];
	FILE *f;
	int i;

	if (n >= u->pages || !u->pg[n].fault_tid)
		return;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", u->pg[n].fault_tid,
			 i ? "stack" : "comm");
		f = fopen(path, "r");
		if (!f) {
			printf("# page %u: faulting tid %d: %s gone\n", n,
			       u->pg[n].fault_tid, path);
			continue;
		}
		while (fgets(line, sizeof(line), f))
			printf("# page %u: tid %d %s: %s", n,
			       u->pg[n].fault_tid, i ? "stack" : "comm", line);
		fclose(f);
	}
	printf("# page %u: copied errno %d\n", n, u->pg[n].copy_errno);
}

/*
 * Has the kernel worker that faulted on page n (resolved) finished that
 * work: back in worker_thread() and nowhere in a fault or async_pf_execute?
 */
bool uffd_faulter_idle(struct uffd *u, unsigned int n)
{
	char path[64], line[256];
	bool idle = false, busy = false;
	FILE *f;

	if (n >= u->pages || !u->pg[n].resolved || !u->pg[n].fault_tid)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stack", u->pg[n].fault_tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "worker_thread"))
			idle = true;
		if (strstr(line, "async_pf_execute") ||
		    strstr(line, "handle_userfault") ||
		    strstr(line, "get_user_pages"))
			busy = true;
	}
	fclose(f);
	return idle && !busy;
}

/*
 * Make page n missing again, as if never touched: its next touch raises a
 * new userfault (and, from the guest, a new async fault).  A fault on it
 * still unresolved is waited for first (auto mode resolves it), so that
 * no late copy can fill the page behind the caller's back.  0 or -1.
 */
int uffd_recycle(struct uffd *u, unsigned int n, int timeout_ms)
{
	struct timespec dl;
	int r = 0;

	if (n >= u->pages)
		return -1;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += timeout_ms / 1000 + 1;
	pthread_mutex_lock(&u->lock);
	while (u->pg[n].faulted && !u->pg[n].resolved && !r)
		r = pthread_cond_timedwait(&u->cond, &u->lock, &dl);
	if (!r && madvise(u->base + n * PAGE_SIZE_4K, PAGE_SIZE_4K,
			  MADV_DONTNEED))
		r = -1;
	if (!r) {
		u->pg[n].faulted = 0;
		u->pg[n].resolved = 0;
		u->pg[n].copy_errno = 0;
		u->pg[n].fault_tid = 0;
	}
	pthread_mutex_unlock(&u->lock);
	return r ? -1 : 0;
}

/* Wait for the async worker's fault on page n, then resolve it. */
int uffd_resolve(struct uffd *u, unsigned int n, int timeout_ms)
{
	struct timespec dl;
	int r = 0;

	if (n >= u->pages)
		return -1;
	deadline_in_ms(&dl, timeout_ms);
	pthread_mutex_lock(&u->lock);
	while (!u->pg[n].faulted && !r)
		r = pthread_cond_timedwait(&u->cond, &u->lock, &dl);
	pthread_mutex_unlock(&u->lock);
	if (!u->pg[n].faulted)
		return -1;
	return copy_page(u, n);
}
