#!/usr/bin/env bash
# Shared by dist_train.sh and dist_test.sh: run tools/SCRIPT under torchrun.
#   bash tools/torchrun.sh SCRIPT NPROC_PER_NODE [SCRIPT arguments]
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR and PORT as in mmaction2; PYTHON picks the
# interpreter (default: python on PATH). On a machine without CUDA the processes run on CPU
# with the gloo backend.
set -euo pipefail
SCRIPT=$1
NPROC=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
HERE=$(cd "$(dirname "$0")" && pwd)

PYTHONPATH="$HERE/..${PYTHONPATH:+:$PYTHONPATH}" \
"${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROC" --master_port="$PORT" \
    "$HERE/$SCRIPT" "${@:3}" --launcher pytorch
