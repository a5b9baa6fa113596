// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_guest's counters in debugfs: "stats" with the state, the vector
 * and a line per CPU plus a total, and one file per counter summed over
 * CPUs, for scripts.  The counters are those of counters.h.
 */
#include <linux/kernel.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/stringify.h>

#include "apfint_compat.h"
#include "apfint_guest.h"

static struct dentry *apfint_dir;

static const char *const apfint_counter_names[APFINT_NR_COUNTERS] = {
#define APFINT_COUNTER(name) __stringify(name),
#include "counters.h"
};

/* " name=value" for each counter, in list order. */
static void apfint_counters_show(struct seq_file *m,
				 const struct apfint_cpu_stats *st)
{
	unsigned int i;

	for (i = 0; i < APFINT_NR_COUNTERS; i++)
		seq_printf(m, " %s=%llu", apfint_counter_names[i], st->n[i]);
}

static int apfint_stats_show(struct seq_file *m, void *unused)
{
	struct apfint_cpu_stats tot = {};
	unsigned int cpu, i;

	seq_printf(m, "state %s\n", apfint_state_str(apfint_state_get()));
	seq_printf(m, "vector 0x%x\n", APFINT_GUEST_VECTOR);
	for_each_possible_cpu(cpu) {
		struct apfint_cpu *c = per_cpu_ptr(&apfint_cpu, cpu);
		struct apfint_cpu_stats s;

		/* Racy against the owning CPU, which is fine for counters. */
		for (i = 0; i < APFINT_NR_COUNTERS; i++)
			s.n[i] = READ_ONCE(c->st.n[i]);
		if (!cpu_online(cpu) && !s.n[APFINT_CNT_enables])
			continue;
		seq_printf(m, "cpu=%u online=%d active=%d err=%d", cpu,
			   cpu_online(cpu), READ_ONCE(c->active),
			   READ_ONCE(c->err));
		apfint_counters_show(m, &s);
		seq_printf(m, " max_online_us=%llu\n",
			   READ_ONCE(c->max_online_ns) / 1000);
		for (i = 0; i < APFINT_NR_COUNTERS; i++)
			tot.n[i] += s.n[i];
	}
	seq_puts(m, "total");
	apfint_counters_show(m, &tot);
	seq_putc(m, '\n');
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(apfint_stats);

static int apfint_total_get(void *data, u64 *val)
{
	unsigned int i = (uintptr_t)data;
	unsigned int cpu;
	u64 sum = 0;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(&apfint_cpu, cpu)->st.n[i]);
	*val = sum;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(apfint_total_fops, apfint_total_get, NULL, "%llu\n");

void apfint_stats_init(void)
{
	unsigned int i;

	apfint_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("stats", 0444, apfint_dir, NULL,
			    &apfint_stats_fops);
	for (i = 0; i < APFINT_NR_COUNTERS; i++)
		debugfs_create_file_unsafe(apfint_counter_names[i], 0444,
					   apfint_dir, (void *)(uintptr_t)i,
					   &apfint_total_fops);
}

void apfint_stats_exit(void)
{
	debugfs_remove_recursive(apfint_dir);
	apfint_dir = NULL;
}
