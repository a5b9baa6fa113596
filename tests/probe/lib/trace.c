// SPDX-License-Identifier: GPL-2.0
/*
 * Synchronisation on the host kernel's own record: the async worker
 * fires kvm_async_pf_completed right after it put the work on the vCPU's
 * done list, so once that line is in the trace buffer the completion is
 * queued.  Tests wait for it instead of sleeping.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include "probe.h"

static const char *tracefs;

static int write_file(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | flags);
	int r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return r;
}

bool trace_available(void)
{
	return tracefs != NULL;
}

int trace_init(void)
{
	static const char *dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char p[256];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/events/kvm/kvm_async_pf_completed"
			 "/enable", dirs[i]);
		if (write_file(p, "1", 0))
			continue;
		tracefs = dirs[i];
		snprintf(p, sizeof(p), "%s/trace", tracefs);
		write_file(p, "", O_TRUNC);
		snprintf(p, sizeof(p), "%s/tracing_on", tracefs);
		write_file(p, "1", 0);
		return 0;
	}
	return -1;
}

static int completed(uint64_t gpa)
{
	char p[256], pat[64], *buf = NULL;
	size_t cap = 0, len = 0;
	ssize_t n;
	int fd, found = 0;

	snprintf(p, sizeof(p), "%s/trace", tracefs);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return 0;
	for (;;) {
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 262144;
			buf = realloc(buf, cap + 1);
			TEST_ASSERT(buf, "realloc");
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (!buf)
		return 0;
	buf[len] = 0;
	snprintf(pat, sizeof(pat), "gva %#llx ", (unsigned long long)gpa);
	for (char *s = buf; (s = strstr(s, pat)); s++) {
		char *bol = s;

		while (bol > buf && bol[-1] != '\n')
			bol--;
		if (memmem(bol, s - bol, "kvm_async_pf_completed", 22)) {
			found = 1;
			break;
		}
	}
	free(buf);
	return found;
}

int trace_wait_completed(uint64_t gpa, int timeout_ms)
{
	uint64_t end = now_ns() + timeout_ms * 1000000ULL;
	struct timespec ts = { .tv_nsec = 1000000 };

	if (!tracefs)
		return -1;
	while (now_ns() < end) {
		if (completed(gpa))
			return 0;
		nanosleep(&ts, NULL);	/* poll interval */
	}
	return -1;
}
