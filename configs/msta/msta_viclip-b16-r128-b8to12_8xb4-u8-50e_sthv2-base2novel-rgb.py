# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA base-to-novel on Something-Something V2 (87 base / 87 novel): the
# UCF101 row on SSv2's lists, class lists and descriptions, no horizontal
# flip, 2 x 3 test views. Paper HM 18.9; logs 21.54 / 14.91 / 17.62.
_base_ = ['./msta_viclip-b16-r128-b8to12_8xb4-u8-50e_ucf101-base2novel-rgb.py']

__splits = _base_.splits + '/base2novel_splits/ssv2_splits/'
__videos = dict(video='data/sthv2/videos')
__names = _base_.labels + '/ssv2_174_{}_labels.csv'
__desc = _base_.descriptions + '/2_{}_description_ssv2_base.json'

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
train_pipeline = [t for t in _base_.train_pipeline if t.type != 'Flip']
__views = [
    dict(t, num_clips=2) if t.type == 'UniformSample' else t
    for t in _base_.test_pipeline
]
train_dataloader = dict(
    dataset=dict(
        ann_file=__splits + 'fs_base_s1_train.txt',
        data_prefix=__videos,
        pipeline=train_pipeline,
    )
)
__val = dict(
    num_base_classes=87,
    num_novel_classes=87,
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
