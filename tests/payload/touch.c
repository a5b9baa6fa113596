// SPDX-License-Identifier: GPL-2.0
/*
 * The one workload of the VM tests, run in L2.  It writes MIB MiB once,
 * then re-reads every page, so that the host has to bring back what it
 * swapped out (the re-touch is what makes async page faults; the first
 * touch of never-used memory needs no I/O).  Prints a METRIC line.
 *
 * touch MIB PASSES [STOP]: PASSES re-reads.  With STOP it goes on reading
 * after PASSES until the file STOP exists: a test whose helper (CPU
 * hotplug, module reload) must run during the workload creates STOP when
 * it is done, however long the emulation made it take.
 *
 * touch --counter MIB SECONDS: the P1 benchmark.  Re-reads until SECONDS
 * have passed while a CPU-bound counter counts loop iterations beside it
 * over the same window.  Async PF pays off when the guest can run the
 * counter while the toucher waits for the host, so the counter's total
 * ("METRIC bench work=") is the figure of merit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* MIB MiB, each page written once: the memory the passes re-read. */
static volatile unsigned char *fill(size_t len, size_t page)
{
	volatile unsigned char *p;
	size_t i;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (i = 0; i < len; i += page)
		p[i] = (unsigned char)(i / page);
	return p;
}

static int counter(size_t mib, double secs)
{
	size_t len = mib << 20, page = sysconf(_SC_PAGESIZE), i;
	volatile unsigned long *shared;
	volatile unsigned char *p;
	unsigned long sum = 0, passes = 0;
	double t0, end;
	pid_t pid;

	shared = mmap(NULL, page, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	p = fill(len, page);

	/* The window opens only now: the first touch needs no host I/O. */
	shared[0] = 0;
	shared[1] = 0;
	pid = fork();
	if (pid == 0) {
		unsigned long n = 0;

		while (!shared[1])
			shared[0] = ++n;
		_exit(0);
	}
	t0 = now();
	end = t0 + secs;
	while (now() < end) {
		for (i = 0; i < len && now() < end; i += page)
			sum += p[i];
		passes++;
	}
	shared[1] = 1;
	waitpid(pid, NULL, 0);
	printf("METRIC bench work=%lu passes=%lu seconds=%.2f mib=%zu sum=%lu\n",
	       shared[0], passes, now() - t0, mib, sum);
	return shared[0] ? 0 : 1;
}

int main(int argc, char **argv)
{
	size_t mib, len, page = sysconf(_SC_PAGESIZE), i;
	volatile unsigned char *p;
	unsigned long sum = 0;
	const char *stop;
	int passes, pass;
	double t0;

	if (argc > 1 && !strcmp(argv[1], "--counter"))
		return counter(argc > 2 ? strtoul(argv[2], NULL, 0) : 300,
			       argc > 3 ? atof(argv[3]) : 60);
	mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 300;
	passes = argc > 2 ? atoi(argv[2]) : 2;
	stop = argc > 3 ? argv[3] : NULL;
	len = mib << 20;
	t0 = now();
	p = fill(len, page);
	for (pass = 0; pass < passes || (stop && access(stop, F_OK)); pass++)
		for (i = 0; i < len; i += page) {
			sum += p[i];
			/* Stop within 4 MiB once told, not at the pass end. */
			if (pass >= passes && !(i & ((4 << 20) - 1)) &&
			    !access(stop, F_OK))
				break;
		}
	printf("METRIC workload mib=%zu passes=%d seconds=%.2f sum=%lu\n",
	       mib, pass, now() - t0, sum);
	return 0;
}
