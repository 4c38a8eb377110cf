# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 8x224x224, Kinetics-400 init, UCF101 (split 1).
# No paper numbers: the paper reports no UCF101/HMDB51 results;
# the recipe (K400 augmentation, 50 epochs, base lr 2e-4) is ours.
_base_ = ['./videomamba-tiny_in1k-pre_8xb64-u8-70e_kinetics400-rgb.py']
from mmvssm.utils import derive

data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_file_val = 'data/ucf101/ucf101_val_split_1_videos.txt'
num_classes = 101
# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_t16_k400_f8_res224.pth'
model = dict(
    derive.classes(_base_, num_classes),
    backbone=dict(init_cfg=dict(checkpoint=pretrained)),
)
train_dataloader, val_dataloader, test_dataloader = derive.with_files(
    data_root, ann_file_train, ann_file_val, batch_size=8
)
optim_wrapper, auto_scale_lr = derive.official_lr(
    0.0002, gpus=8, videos=8, weight_decay=0.05
)
train_cfg = dict(max_epochs=50)
param_scheduler = derive.warmup_cosine(_base_, epochs=50)
