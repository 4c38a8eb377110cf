# Copyright (c) mmvssm contributors. All rights reserved.
# Zero-shot retrieval on DiDeMo (paragraph-to-video, test split): the MSR-VTT zero-shot row with
# this dataset's test annotations.
# paper (25M pairs, T2V R@1/5/10): 43.1/68.1/77.7
_base_ = ['./videomamba-middle_clip-b16-text_zero-shot_msrvtt-rgb.py']

test_dataloader = dict(
    dataset=dict(
        ann_file='data/didemo/annotations/didemo_test.json',
        data_prefix=dict(video='data/didemo/videos'),
    )
)
