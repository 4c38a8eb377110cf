# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA fully supervised on Something-Something V2 (174 classes): the
# Kinetics-400 row on SSv2's files, class list (ViFi-CLIP's ssv2_labels.csv)
# and descriptions, without horizontal flip (it swaps left/right classes),
# 2 x 3 test views. No paper number is known for this row.
_base_ = ['./msta_viclip-b16-r256-b1to12_8xb32-u8-30e_k400-rgb.py']

__videos = dict(video='data/sthv2/videos')
__desc = _base_.descriptions + '/2_{}_description_ssv2.json'
model = dict(
    cls_head=dict(
        text_branch=dict(
            class_names=_base_.labels + '/ssv2_labels.csv',
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
        ann_file='data/sthv2/sthv2_train_list_videos.txt',
        data_prefix=__videos,
        pipeline=train_pipeline,
    )
)
__val = dict(
    ann_file=_base_.splits + '/ssv2_splits/validation.txt',
    data_prefix=__videos,
)
val_dataloader = dict(dataset=__val)
test_dataloader = dict(dataset=dict(__val, pipeline=__views))
