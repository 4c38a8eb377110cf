# Copyright (c) mmvssm contributors. All rights reserved.
# Zero-shot retrieval on LSMDC (1k test): the MSR-VTT zero-shot row with
# this dataset's test annotations.
# paper (25M pairs, T2V R@1/5/10): 20.4/37.1/45.7
_base_ = ['./videomamba-middle_clip-b16-text_zero-shot_msrvtt-rgb.py']
from mmvssm.utils import derive

test_dataloader = derive.test_files(
    'data/lsmdc/annotations/lsmdc_test.json', 'data/lsmdc/videos'
)
