#!/usr/bin/env bash
# Distributed testing: bash tools/dist_test.sh CONFIG CHECKPOINT NPROC_PER_NODE [test.py options]
# (torchrun; NNODES, NODE_RANK, MASTER_ADDR, PORT, PYTHON: see tools/torchrun.sh).
if [ $# -lt 3 ]; then
    echo "usage: bash $0 CONFIG CHECKPOINT NPROC_PER_NODE [tools/test.py options]" >&2
    exit 2
fi
exec bash "$(dirname "$0")/torchrun.sh" test.py "$3" "$1" "$2" "${@:4}"
