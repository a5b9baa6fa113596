#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hotplug-control tier: the emulator's CPU hotplug with stock kernels
# (tests/vm/hotplug-control.sh), GUEST on HOST; not part of make check.
set -u
here=$(cd "$(dirname "$0")" && pwd)
GUEST=${GUEST:-debian-6.1} HOST=${HOST:-debian-6.1}
[ "$GUEST" = debian-6.1 ] && GUEST=5.4.286
exec "$here/../vm/hotplug-control.sh" "$GUEST" "$HOST"
