#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for trying tools/slurm-logits.sh
# without a real cluster (Debian 12; run as root; never needed by tests):
#
#   tools/slurm-single-node.sh            # install, configure, start; wait until idle
#   tools/slurm-single-node.sh stop       # stop the three daemons (by their pid files)
#
# Installs Debian's slurm-wlm and munge (apt-get update and apt-get install -y
# only when slurmctld, slurmd or munged is missing); makes a munge key
# (/etc/munge/munge.key, 1,024 random bytes, owner munge, mode 0400) when
# there is none; writes a minimal /etc/slurm/slurm.conf (this host as the
# controller and the only compute node, CPUs from nproc, RealMemory from
# /proc/meminfo less 10%, select/cons_tres, proctrack/linuxproc, task/none,
# no accounting, spool dirs under /var/spool/slurm{ctld,d}) unless one is
# there that this script did not write (it keeps a foreign one); starts munged,
# slurmctld and slurmd directly as daemons (they may run under no systemd:
# `ps -p 1`), each only when it is not running; waits (up to 60 s) until
# `sinfo` shows the node idle (or mixed/allocated: it already runs jobs), and
# resumes it if it came up down or drained. Idempotent: a second run changes
# nothing and returns at once.
# The node name is `hostname -s`; it must resolve (an /etc/hosts line
# `127.0.0.1 NAME` is added when `getent hosts NAME` fails). Daemon logs:
# /var/log/slurm/slurm{ctld,d}.log, /var/log/munge/munged.log.
set -euo pipefail

CONF=/etc/slurm/slurm.conf
MARK="# written by smelt tools/slurm-single-node.sh"
NODE=$(hostname -s)

running() { pgrep -x "$1" > /dev/null; }  # exact process name, never a pattern

if [ "${1:-}" = stop ]; then
    for pidfile in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
        if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2> /dev/null; then
            echo "stopping $(basename "$pidfile" .pid) ($(cat "$pidfile"))"
            kill "$(cat "$pidfile")"
        fi
    done
    exit 0
fi
[ $# -eq 0 ] || { sed -n '2,23p' "$0" >&2; exit 64; }
[ "$(id -u)" = 0 ] || { echo "error: run as root" >&2; exit 1; }

if ! command -v slurmctld > /dev/null || ! command -v slurmd > /dev/null || ! command -v munged > /dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends slurm-wlm munge
fi

getent hosts "$NODE" > /dev/null || echo "127.0.0.1 $NODE" >> /etc/hosts

# munge
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge
install -d -o munge -g munge -m 0755 /run/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! running munged; then
    runuser -u munge -- /usr/sbin/munged
fi
for _ in $(seq 20); do munge -n > /dev/null 2>&1 && break; sleep 0.5; done
munge -n | unmunge > /dev/null || { echo "error: munge does not work (/var/log/munge/munged.log)" >&2; exit 1; }

# slurm.conf
CPUS=$(nproc)
MEM_MB=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
install -d -o slurm -g slurm -m 0755 /var/spool/slurmctld /var/log/slurm
install -d -m 0755 /var/spool/slurmd /etc/slurm
NEW=$(cat << EOF
$MARK
ClusterName=smelt
SlurmctldHost=$NODE
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MpiDefault=none
NodeName=$NODE CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=main Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
)
if [ -f "$CONF" ] && ! head -1 "$CONF" | grep -qxF "$MARK"; then
    echo "keeping $CONF (not written by this script)"
elif [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$NEW" ]; then
    printf '%s\n' "$NEW" > "$CONF"
    echo "wrote $CONF"
    if running slurmctld; then scontrol reconfigure; fi
fi
# cgroup.conf is read only by the cgroup plugins, which this configuration does not use.

# daemons
if ! running slurmctld; then
    /usr/sbin/slurmctld
fi
if ! running slurmd; then
    /usr/sbin/slurmd
fi

for i in $(seq 60); do
    state=$(sinfo -h -n "$NODE" -o %T 2> /dev/null | head -1 || true)
    case "$state" in
        idle|mixed|allocated|completing) echo "node $NODE: $state"; sinfo; exit 0 ;;
        down*|drain*|drained*)
            scontrol update NodeName="$NODE" State=RESUME 2> /dev/null || true ;;
    esac
    sleep 1
done
echo "error: node $NODE is not idle after 60 s (state: ${state:-none}); see /var/log/slurm/" >&2
sinfo >&2 || true
exit 1
