# Copyright (c) mmvssm contributors. All rights reserved.
# Zero-shot retrieval on DiDeMo (paragraph-to-video, test split): the MSR-VTT zero-shot row with
# this dataset's test annotations.
# paper (25M pairs, T2V R@1/5/10): 43.1/68.1/77.7
_base_ = ['./videomamba-middle_clip-b16-text_zero-shot_msrvtt-rgb.py']
from mmvssm.utils import derive

test_dataloader = derive.test_files(
    'data/didemo/annotations/didemo_test.json', 'data/didemo/videos'
)
