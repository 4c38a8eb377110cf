# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA base-to-novel on HMDB51 (26 base / 25 novel classes): the Kinetics
# row on HMDB's lists, class lists and descriptions; 10 x 3 test views.
_base_ = ['./msta_viclip-b16-r128-b8to12_8xb4-u8-50e_k400-base2novel-rgb.py']

data_root = 'data/hmdb51/videos'
b2n_splits = _base_.splits + '/base2novel_splits/hmdb_splits'
num_base_classes = 26
num_novel_classes = 25
test_clips = 10
__names = _base_.labels + '/hmdb_51_{}_labels.csv'
__desc = _base_.descriptions + '/2_{}_description_hmdb_base.json'

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
test_pipeline = [
    dict(t, num_clips=test_clips) if t.type == 'UniformSample' else t
    for t in _base_.test_pipeline
]
__part = dict(data_prefix=dict(video=data_root))
__b2n = dict(
    base=dict(__part, ann_file=b2n_splits + '/base_val.txt'),
    novel=dict(__part, ann_file=b2n_splits + '/novel_val.txt'),
    num_base_classes=num_base_classes,
    num_novel_classes=num_novel_classes,
)
train_dataloader = dict(
    dataset=dict(
        ann_file=b2n_splits + '/fs_base_s1_train.txt',
        data_prefix=dict(video=data_root),
    )
)
val_dataloader = dict(dataset=__b2n)
test_dataloader = dict(
    dataset=dict(
        __b2n,
        base=dict(__b2n['base'], pipeline=test_pipeline),
        novel=dict(__b2n['novel'], pipeline=test_pipeline),
    )
)
