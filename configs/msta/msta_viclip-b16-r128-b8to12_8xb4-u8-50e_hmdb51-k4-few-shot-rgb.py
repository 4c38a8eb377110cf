# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA all-way 4-shot on HMDB51: the 2-shot row with 4 videos per class.
_base_ = [
    './msta_viclip-b16-r128-b8to12_8xb4-u8-50e_hmdb51-k2-few-shot-rgb.py'
]

shots = 4
train_dataloader = dict(sampler=dict(shots=shots))
