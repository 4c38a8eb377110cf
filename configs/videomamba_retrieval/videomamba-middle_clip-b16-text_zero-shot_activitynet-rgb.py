# Copyright (c) mmvssm contributors. All rights reserved.
# Zero-shot retrieval on ActivityNet Captions (paragraph-to-video, val1): the MSR-VTT zero-shot row with
# this dataset's test annotations.
# paper (25M pairs, T2V R@1/5/10): 41.0/67.5/77.8
_base_ = ['./videomamba-middle_clip-b16-text_zero-shot_msrvtt-rgb.py']
from mmvssm.utils import derive

test_dataloader = derive.test_files(
    'data/activitynet/annotations/anet_val1.json', 'data/activitynet/videos'
)
