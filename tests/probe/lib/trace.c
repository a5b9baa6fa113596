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
static bool trace_mono;

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
	static const char * const dirs[] = {
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
		/* the other async PF events too, for the record on failure */
		for (const char **e = (const char *[]){
			"kvm_try_async_get_page", "kvm_async_pf_not_present",
			"kvm_async_pf_ready", "kvm_async_pf_repeated_fault",
			"kvm_async_pf_doublefault", NULL }; *e; e++) {
			snprintf(p, sizeof(p), "%s/events/kvm/%s/enable",
				 tracefs, *e);
			write_file(p, "1", 0);
		}
		snprintf(p, sizeof(p), "%s/trace", tracefs);
		write_file(p, "", O_TRUNC);
		snprintf(p, sizeof(p), "%s/tracing_on", tracefs);
		write_file(p, "1", 0);
		/* timestamps comparable with CLOCK_MONOTONIC, if offered */
		snprintf(p, sizeof(p), "%s/trace_clock", tracefs);
		trace_mono = !write_file(p, "mono", 0);
		return 0;
	}
	return -1;
}

/* The CLOCK_MONOTONIC time of gpa's completion, or 0. */
static uint64_t completed(uint64_t gpa)
{
	char p[256], pat[64], *buf = NULL;
	size_t cap = 0, len = 0;
	ssize_t n;
	int fd;
	uint64_t found = 0;

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
		char *ev = memmem(bol, s - bol, "kvm_async_pf_completed", 22);
		char *ts;
		unsigned long sec, usec;

		if (!ev)
			continue;
		found = 1;
		/* "... 123.456789: kvm_async_pf_completed: gva ..." */
		for (ts = ev - 2; ts > bol && ts[-1] != ' '; ts--)
			;
		if (trace_mono && sscanf(ts, "%lu.%lu:", &sec, &usec) == 2)
			found = sec * 1000000000ULL + usec * 1000ULL;
		break;
	}
	free(buf);
	return found;
}

int trace_enable(const char *sys_event)
{
	char p[256];

	if (!tracefs)
		return -1;
	snprintf(p, sizeof(p), "%s/events/%s/enable", tracefs, sys_event);
	return write_file(p, "1", 0);
}

/*
 * Calls fn for every line of the trace buffer, parsed as
 * "<task>-<pid> [<cpu>] <flags> <sec>.<usec>: <event>: <rest>".
 */
int trace_for_each(void (*fn)(const struct tev *e, void *arg), void *arg)
{
	char p[256], line[1024];
	FILE *f;

	if (!tracefs || !trace_mono)
		return -1;
	snprintf(p, sizeof(p), "%s/trace", tracefs);
	f = fopen(p, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		struct tev e = { 0 };
		char *b = strstr(line, "] "), *ts, *name, *end;
		unsigned long sec, usec;

		if (line[0] == '#' || !b)
			continue;
		for (ts = b; ts > line && ts[-1] != '['; ts--)
			;
		e.cpu = atoi(ts);
		name = strstr(b, ": ");
		if (!name)
			continue;
		for (ts = name; ts > b && ts[-1] != ' '; ts--)
			;
		if (sscanf(ts, "%lu.%lu", &sec, &usec) != 2)
			continue;
		e.ns = sec * 1000000000ULL + usec * 1000ULL;
		name += 2;
		end = strchr(name, ':');
		if (!end)
			continue;
		snprintf(e.name, sizeof(e.name), "%.*s", (int)(end - name),
			 name);
		e.rest = end + 1;
		fn(&e, arg);
	}
	fclose(f);
	return 0;
}

/* Print the last n async PF lines of the trace buffer. */
void trace_dump(int n)
{
	char p[256], line[512];
	char (*keep)[512];
	int i = 0, total = 0;
	FILE *f;

	snprintf(p, sizeof(p), "%s/trace", tracefs);
	f = fopen(p, "r");
	keep = calloc(n, sizeof(*keep));
	if (!f || !keep)
		goto out;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "async_pf") || strstr(line, "async_get")) {
			snprintf(keep[i], sizeof(keep[i]), "%s", line);
			i = (i + 1) % n;
			total++;
		}
	printf("# trace (last %d of %d async PF events):\n",
	       total < n ? total : n, total);
	for (int j = 0; j < n && j < total; j++)
		printf("#   %s", keep[(total < n ? j : i + j) % n]);
out:
	if (f)
		fclose(f);
	free(keep);
}

uint64_t trace_completed_ns(uint64_t gpa)
{
	uint64_t t = tracefs ? completed(gpa) : 0;

	return t > 1 ? t : 0;
}

/*
 * Wait until the async work for gpa has queued its completion: 0 when its
 * kvm_async_pf_completed event shows, 1 when only done(arg) says so (the
 * event went missing), -1 when neither came within timeout_ms.
 */
int trace_wait_completed(uint64_t gpa, int timeout_ms,
			 bool (*done)(void *arg), void *arg)
{
	uint64_t end = now_ns() + timeout_ms * 1000000ULL;
	struct timespec ts = { .tv_nsec = 1000000 };

	if (!tracefs)
		return -1;
	while (now_ns() < end) {
		if (completed(gpa))
			return 0;
		if (done && done(arg))
			return completed(gpa) ? 0 : 1;
		nanosleep(&ts, NULL);	/* poll interval */
	}
	trace_dump(40);
	return -1;
}
