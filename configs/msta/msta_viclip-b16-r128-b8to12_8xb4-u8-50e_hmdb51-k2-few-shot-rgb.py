# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA all-way 2-shot on HMDB51 (split 1): the HMDB51 base-to-novel row
# with all 51 classes and their N = 2 descriptions, trained on 2 videos of
# every class chosen by FewShotSampler (seeded, class-balanced, the same
# videos every epoch and rank) from the split-1 training list, tested on
# split 1 (ViFi-CLIP's val1.txt, 1530 videos) with AccMetric. ViFi-CLIP's
# fixed lists work too: ann_file=.../hmdb_splits/train1_few_shot_2.txt with
# sampler=dict(type='DefaultSampler', shuffle=True).
_base_ = ['./msta_viclip-b16-r128-b8to12_8xb4-u8-50e_hmdb51-base2novel-rgb.py']
from mmvssm.utils import derive

shots = 2
__desc = _base_.descriptions + '/2_{}_description_hmdb.json'
model = derive.text_classes(
    _base_.labels + '/hmdb_51_labels.csv', __desc, novel_class_names=None
)
train_dataloader = dict(
    sampler=dict(
        _delete_=True, type='FewShotSampler', shots=shots, subset_seed=1
    ),
    dataset=dict(ann_file='data/hmdb51/hmdb51_train_split_1_videos.txt'),
)
val_dataloader, test_dataloader = derive.video_eval(
    _base_, _base_.splits + '/hmdb_splits/val1.txt', _base_.data_root
)
val_evaluator = dict(_delete_=True, type='AccMetric')
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(save_best='acc/top1'))
