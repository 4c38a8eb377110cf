#!/usr/bin/env bash
# Training on Slurm: bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG [train.py options]
# (GPUS, GPUS_PER_NODE, CPUS_PER_TASK, SRUN_ARGS, PYTHON: see tools/srun.sh).
if [ $# -lt 3 ]; then
    echo "usage: bash $0 PARTITION JOB_NAME CONFIG [tools/train.py options]" >&2
    exit 2
fi
exec bash "$(dirname "$0")/srun.sh" train.py "$@"
