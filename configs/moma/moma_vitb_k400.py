# Copyright (c) mmvssm contributors. All rights reserved.
# `python tools/train.py configs/moma/moma_vitb_k400.py`: MoMa ViT-B/16,
# 16x224x224, Kinetics-400 (the row below, under a short name). Needs
# data/kinetics400/ (see tools/data/README.md) and the OpenAI weights in
# checkpoints/ViT-B-16.pt.
_base_ = ['./moma_vit-b16_clip-pre_8xb8-16x4x1-30e_kinetics400-rgb.py']
