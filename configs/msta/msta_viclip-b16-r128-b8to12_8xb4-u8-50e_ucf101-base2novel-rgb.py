# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA base-to-novel on UCF101 (51 base / 50 novel): the HMDB51 row on
# UCF's lists, class lists and descriptions; 5 x 3 test views. The logged
# runs' HM 82.93 matches the paper's 82.9.
_base_ = ['./msta_viclip-b16-r128-b8to12_8xb4-u8-50e_hmdb51-base2novel-rgb.py']

__splits = _base_.splits + '/base2novel_splits/ucf_splits/'
__videos = dict(video='data/ucf101/videos')
__names = _base_.labels + '/ucf_101_{}_labels.csv'
__desc = _base_.descriptions + '/2_{}_description_ucf_101_base.json'

model = dict(
    cls_head=dict(
        text_branch=dict(
            class_names=__names.format('base'),
            novel_class_names=__names.format('novel'),
            spatial_descriptions=__desc.format('s'),
            temporal_descriptions=__desc.format('t'),
        )
    )
)
__views = [
    dict(t, num_clips=5) if t.type == 'UniformSample' else t
    for t in _base_.test_pipeline
]
train_dataloader = dict(
    dataset=dict(
        ann_file=__splits + 'fs_base_s1_train.txt', data_prefix=__videos
    )
)
__val = dict(
    num_base_classes=51,
    num_novel_classes=50,
    base=dict(ann_file=__splits + 'base_val.txt', data_prefix=__videos),
    novel=dict(ann_file=__splits + 'novel_val.txt', data_prefix=__videos),
)
val_dataloader = dict(dataset=__val)
test_dataloader = dict(
    dataset=dict(
        __val,
        base=dict(__val['base'], pipeline=__views),
        novel=dict(__val['novel'], pipeline=__views),
    )
)
