// SPDX-License-Identifier: GPL-2.0
/*
 * work MIB SECONDS: the P1 benchmark workload, run in L2.  A "toucher"
 * writes MIB MiB once, then re-reads every page until SECONDS have passed,
 * so that the host has to bring back what it swapped out; beside it a
 * CPU-bound "counter" counts loop iterations over the same window.  Async
 * PF pays off when the guest can run the counter while the toucher waits
 * for the host, so the counter's total is the figure of merit.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 300;
	double secs = argc > 2 ? atof(argv[2]) : 60;
	size_t len = mib << 20, page = sysconf(_SC_PAGESIZE), i;
	volatile unsigned long *shared;
	volatile unsigned char *p;
	unsigned long sum = 0, passes = 0;
	double t0, end;
	pid_t counter;

	shared = mmap(NULL, page, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED || p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < len; i += page)
		p[i] = (unsigned char)(i / page);

	/* The window opens only now: the first touch needs no host I/O. */
	shared[0] = 0;
	shared[1] = 0;
	counter = fork();
	if (counter == 0) {
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
	waitpid(counter, NULL, 0);
	printf("METRIC bench work=%lu passes=%lu seconds=%.2f mib=%zu sum=%lu\n",
	       shared[0], passes, now() - t0, mib, sum);
	return shared[0] ? 0 : 1;
}
