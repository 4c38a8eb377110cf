# Copyright (c) mmvssm contributors. All rights reserved.
# Zero-shot retrieval on MSVD (670 test videos, all captions): the MSR-VTT zero-shot row with
# this dataset's test annotations.
# paper (25M pairs, T2V R@1/5/10): 42.6/71.6/81.2
_base_ = ['./videomamba-middle_clip-b16-text_zero-shot_msrvtt-rgb.py']
from mmvssm.utils import derive

test_dataloader = derive.test_files(
    'data/msvd/annotations/msvd_test.json', 'data/msvd/videos'
)
