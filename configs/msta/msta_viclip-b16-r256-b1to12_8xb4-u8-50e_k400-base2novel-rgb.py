# Copyright (c) mmvssm contributors. All rights reserved.
# The paper's MSTA model (8.7M trainable: r = 256 in all 12 blocks of both
# encoders) on the logged Kinetics-400 base-to-novel recipe. Paper HM 72.0
# (secondary sources, unverified).
_base_ = ['./msta_viclip-b16-r128-b8to12_8xb4-u8-50e_k400-base2novel-rgb.py']

model = dict(adapter=dict(dim=256, start_block=0, end_block=12))
