#!/usr/bin/env bash
# Makes sure the Debian packages of cluster mode (make run-cluster) and of the tests that start these
# services themselves are there: PostgreSQL, Redis and nginx. Installs what is missing with apt when run
# as root; otherwise says what to install. The tests start each service in a temporary directory on a
# free port; none of them runs as a system service.
set -euo pipefail
missing=()
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
bash "$(dirname "$0")/apt_install.sh" "Cluster mode and its tests" "${missing[@]}"
