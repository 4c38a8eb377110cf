#!/usr/bin/env bash
# Distributed training: bash tools/dist_train.sh CONFIG NPROC_PER_NODE [train.py options]
# (torchrun; NNODES, NODE_RANK, MASTER_ADDR, PORT, PYTHON: see tools/torchrun.sh). Without CUDA
# the processes train on CPU with the gloo backend.
if [ $# -lt 2 ]; then
    echo "usage: bash $0 CONFIG NPROC_PER_NODE [tools/train.py options]" >&2
    exit 2
fi
exec bash "$(dirname "$0")/torchrun.sh" train.py "$2" "$1" "${@:3}"
