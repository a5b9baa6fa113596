// SPDX-License-Identifier: GPL-2.0
/*
 * touch MIB PASSES [STOP]: the integration workload.  Writes MIB MiB once,
 * then reads every page PASSES more times, so that the host has to bring
 * back what it swapped out (the re-touch is what makes async page faults;
 * the first touch of never-used memory needs no I/O).  With STOP, it goes
 * on reading after PASSES until the file STOP exists: a test whose helper
 * (CPU hotplug, module reload) must run during the workload creates STOP
 * when it is done, however long the emulation made it take.  Prints METRIC
 * lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
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
	int passes = argc > 2 ? atoi(argv[2]) : 2;
	const char *stop = argc > 3 ? argv[3] : NULL;
	size_t len = mib << 20, page = sysconf(_SC_PAGESIZE), i;
	volatile unsigned char *p;
	unsigned long sum = 0;
	double t0 = now();
	int pass;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < len; i += page)
		p[i] = (unsigned char)(i / page);
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
