# Copyright (c) mmvssm contributors. All rights reserved.
# MoMa ViT-L/14 trained on Kinetics-400, zero-shot on UCF101 (split 1 test
# list, 101 classes): `python tools/test.py CONFIG K400_CHECKPOINT` with the
# checkpoint of the K400 L/14 16f row (it holds only the SeqMods; the frozen
# CLIP weights reload from checkpoints/ViT-L-14.pt). Same views as K400.
# paper: UCF101 not recovered (HMDB51 row: 59.1).
_base_ = ['./moma_vit-l14_clip-pre_8xb8-16x4x1-30e_kinetics400-rgb.py']
from mmvssm.utils import derive

model = derive.text_classes('ucf101')
test_dataloader = derive.test_files(
    'data/ucf101/ucf101_val_split_1_videos.txt', 'data/ucf101/videos'
)
# Test only.
train_dataloader = train_cfg = optim_wrapper = param_scheduler = None
val_dataloader = val_cfg = val_evaluator = None
