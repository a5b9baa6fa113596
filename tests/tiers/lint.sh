#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lint tier (make lint): checkpatch.pl --strict (from Debian's
# linux-source-6.1; its options are in .checkpatch.conf) and sparse (C=2)
# on every module source, shellcheck (.shellcheckrc) on every shell file.
set -u
. "$(dirname "$0")/../lib/kernels.sh"
cd "$APFINT_TOP" || exit 2

cp_dir=$APFINT_OUT/checkpatch
tarball=$(ls /usr/src/linux-source-6.1*.tar.* 2>/dev/null | head -n 1)
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ] && [ -n "$tarball" ]; then
	mkdir -p "$cp_dir"
	tar -xf "$tarball" -C "$cp_dir" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
srcs=$(git ls-files -co --exclude-standard 'host_kmod/*.[ch]' 'guest_kmod/*.[ch]' 'include/*.h' | grep -v '\.mod\.c$')
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	echo "ok - lint/checkpatch # SKIP no linux-source-6.1 (apt-get install linux-source-6.1)"
elif [ ! -f .checkpatch.conf ]; then
	echo "not ok - lint/checkpatch (no .checkpatch.conf at the top of the tree)"
else
	for f in $srcs; do
		ignore=
		# The compat header exists to hold the version tests.
		[ "$f" = include/apfint_compat.h ] &&
			ignore=LINUX_VERSION_CODE,CONSTANT_COMPARISON
		# The ABI header is shared with userspace, which has no BIT().
		[ "$f" = include/apfint_abi.h ] && ignore=BIT_MACRO
		# TRACE_EVENT()'s own layout, as in the kernel's trace headers.
		[ "$f" = host_kmod/trace.h ] &&
			ignore=OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT
		# checkpatch reads .checkpatch.conf from the current directory
		out=$("$cp_dir/scripts/checkpatch.pl" ${ignore:+--ignore "$ignore"} \
			-f "$f" 2>&1 | grep -E ': (ERROR|WARNING|CHECK):')
		if [ -z "$out" ]; then
			echo "ok - lint/checkpatch/$f"
		else
			echo "not ok - lint/checkpatch/$f"
			echo "$out" | sed 's/^/#   /'
		fi
	done
fi

if ! command -v sparse >/dev/null; then
	echo "ok - lint/sparse # SKIP sparse not installed"
else
	for k in debian-6.1 $(cached_kernels); do
		kernel_resolve "$k" && [ -n "$KBUILD" ] || {
			echo "ok - lint/sparse/$k # SKIP ${KMISSING:-$k: no build tree}"
			continue
		}
		dir=$APFINT_OUT/sparse/$k
		rm -rf "$dir"
		mkdir -p "$dir"
		cp -r host_kmod guest_kmod include Makefile VERSION "$dir/"
		nice -n 10 make -C "$dir" KDIR="$KBUILD" C=2 APFINT_TESTING=1 modules >"$dir/log" 2>&1
		out=$(grep -E '(host_kmod|guest_kmod|include/apfint)[^:]*:[0-9]+:[0-9]+: (warning|error)' "$dir/log")
		if [ -z "$out" ] && grep -q ' CHECK ' "$dir/log"; then
			echo "ok - lint/sparse/$k"
		else
			echo "not ok - lint/sparse/$k"
			{ [ -n "$out" ] && echo "$out" || tail -n 10 "$dir/log"; } | sed 's/^/#   /'
		fi
	done
fi

# shell_files: every shell file of the tree: *.sh, and files whose first
# line starts a shell (#!/bin/sh, #!/bin/bash, #!/bin/busybox sh).
shell_files() {
	local f
	git ls-files -co --exclude-standard | while IFS= read -r f; do
		[ -f "$f" ] || continue
		case $f in
		*.sh) echo "$f" ;;
		*) head -n 1 "$f" | grep -qE '^#!.*[/ ](ba|da)?sh( |$)' && echo "$f" ;;
		esac
	done
}
if ! command -v shellcheck >/dev/null; then
	echo "ok - lint/shellcheck # SKIP shellcheck not installed (apt-get install shellcheck)"
else
	for f in $(shell_files); do
		if out=$(shellcheck -f gcc "$f" 2>&1); then
			echo "ok - lint/shellcheck/$f"
		else
			echo "not ok - lint/shellcheck/$f"
			echo "$out" | sed 's/^/#   /'
		fi
	done
	# dkms.conf is bash that dkms sources: it sets what dkms reads and
	# reads what dkms sets (kernel_source_dir).
	if out=$(shellcheck -f gcc -s bash -e SC2034,SC2154 dkms.conf 2>&1); then
		echo "ok - lint/shellcheck/dkms.conf"
	else
		echo "not ok - lint/shellcheck/dkms.conf"
		echo "$out" | sed 's/^/#   /'
	fi
fi
