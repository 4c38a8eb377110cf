# Copyright (c) mmvssm contributors. All rights reserved.
# Zero-shot retrieval on MSR-VTT 1k-A: the fine-tuning row, test only, with
# a video-text pre-trained VideoTextRetriever checkpoint
# (`python tools/test.py CONFIG CHECKPOINT`).
# paper (25M pairs, T2V R@1/5/10): 35.6/58.1/69.5
_base_ = ['./videomamba-middle_clip-b16-text_8xb32-u8-5e_msrvtt-rgb.py']

train_dataloader = train_cfg = optim_wrapper = param_scheduler = None
val_dataloader = val_cfg = val_evaluator = None
