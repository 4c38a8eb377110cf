# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 32x224x224, end to end on Breakfast (10 activities, videos
# of minutes), initialised from the Kinetics-400 32-frame model: the K400
# tiny 32f recipe with Breakfast's lists, 10 classes, lr 2e-4 (base) x 8
# GPUs x 32 x 2 repeats / 256 = 4e-4, wd 0.1, 70 epochs, 4 clips x 3 crops.
# Lists: python tools/data/prepare_annotations.py breakfast --ann-dir
#   data/breakfast/videos --video-dir data/breakfast/videos --out-dir data/breakfast
# paper: top-1 94.3
_base_ = [
    '../videomamba/videomamba-tiny_in1k-pre_8xb32-u32-70e_kinetics400-rgb.py'
]
from mmvssm.utils import derive

num_classes = 10
# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_t16_k400_f32_res224.pth'
model = dict(
    derive.classes(_base_, num_classes),
    backbone=dict(init_cfg=dict(checkpoint=pretrained)),
)
# Training keeps the recipe's repeated augmentation (RepeatAugDataset reads
# the same list); validation and test use the Breakfast class.
ann_file_train = 'data/breakfast/breakfast_train_split_1_videos.txt'
ann_file_test = 'data/breakfast/breakfast_test_split_1_videos.txt'
data_prefix = dict(video='data/breakfast/videos')
train_dataloader = dict(
    dataset=dict(ann_file=ann_file_train, data_prefix=data_prefix)
)
val_dataloader = dict(
    dataset=dict(
        type='BreakfastDataset',
        ann_file=ann_file_test,
        data_prefix=data_prefix,
    )
)
test_dataloader = dict(dataset=val_dataloader['dataset'])
