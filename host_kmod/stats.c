// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: counters under /sys/kernel/debug/apfint_host/.  One file
 * per global counter (for scripts), "vcpus" with one line per vCPU that
 * touched the feature, and "hooks" with each hook's hit count.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "apfint_host.h"

static struct dentry *apfint_debugfs;

DEFINE_SHOW_ATTRIBUTE(apfint_hooks);
DEFINE_SHOW_ATTRIBUTE(apfint_vcpus);

static int apfint_counter_get(void *data, u64 *val)
{
	*val = atomic64_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(apfint_counter_fops, apfint_counter_get, NULL,
			 "%llu\n");

#define APFINT_COUNTER(name) { #name, &apfint_stats.name }

static const struct {
	const char *name;
	atomic64_t *counter;
} apfint_counters[] = {
	/* The integration tier compares this one with the guest's HYP line. */
	{ "irqs_injected", &apfint_stats.delivered },
	APFINT_COUNTER(deferred),
	APFINT_COUNTER(acks),
	APFINT_COUNTER(spare_acks),
	APFINT_COUNTER(kicks),
	APFINT_COUNTER(legacy),
	APFINT_COUNTER(wake_all),
	APFINT_COUNTER(halted_skipped),
	APFINT_COUNTER(armed_vcpus),
	APFINT_COUNTER(tokens_fixed),
	APFINT_COUNTER(slot_write_errors),
	APFINT_COUNTER(coalesced),
	APFINT_COUNTER(vcpu_states),
	APFINT_COUNTER(state_bytes),
};

int apfint_stats_init(void)
{
	size_t i;

	apfint_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR_OR_NULL(apfint_debugfs))
		return 0;	/* counters are optional */
	for (i = 0; i < ARRAY_SIZE(apfint_counters); i++)
		debugfs_create_file_unsafe(apfint_counters[i].name, 0444,
					   apfint_debugfs,
					   apfint_counters[i].counter,
					   &apfint_counter_fops);
	debugfs_create_file("vcpus", 0444, apfint_debugfs, NULL,
			    &apfint_vcpus_fops);
	debugfs_create_file("hooks", 0444, apfint_debugfs, NULL,
			    &apfint_hooks_fops);
	return 0;
}

void apfint_stats_exit(void)
{
	debugfs_remove_recursive(apfint_debugfs);
}
