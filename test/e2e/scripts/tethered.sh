#!/usr/bin/env bash
# tethered.sh <command> [args...]
#
# Runs <command> and kills it as soon as our stdin reaches EOF. The e2e
# harness starts etcd and kube-apiserver through this wrapper with stdin a
# pipe from the Node test process: the kernel closes that pipe however the
# test process ends (normal exit, uncaught error, SIGKILL, OOM), so the
# servers can never outlive the test run. Linux has prctl(PR_SET_PDEATHSIG)
# for this, but Node does not expose it.
#
# TETHER_RMDIR (optional): directories (space separated) removed after the
# command has exited, e.g. the etcd data dir on /dev/shm.
set -u

cleanup() {
  # shellcheck disable=SC2086 # word splitting is the point
  [ -n "${TETHER_RMDIR:-}" ] && rm -rf -- ${TETHER_RMDIR}
}

# Background jobs get /dev/null as stdin, so keep the pipe on fd 3.
exec 3<&0
"$@" </dev/null 3<&- &
child=$!

(
  # Blocks until the Node side closes the pipe (stop() or process death).
  while read -r _ <&3; do :; done
  kill -TERM "$child" 2>/dev/null
  for _ in $(seq 1 100); do
    kill -0 "$child" 2>/dev/null || { cleanup; exit 0; }
    sleep 0.1
  done
  kill -KILL "$child" 2>/dev/null
  cleanup
) &
watcher=$!
exec 3<&-

trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
# wait returns early when a trapped signal arrives; loop until the child is gone.
while :; do
  wait "$child"
  rc=$?
  kill -0 "$child" 2>/dev/null || break
done
kill "$watcher" 2>/dev/null
cleanup
exit "$rc"
