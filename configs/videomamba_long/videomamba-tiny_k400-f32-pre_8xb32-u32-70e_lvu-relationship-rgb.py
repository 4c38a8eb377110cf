# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 32 frames, LVU relationship (4 classes; the other
# classification tasks: set lvu_task, num_classes and the list names):
# the Breakfast tiny row with LVU's lists.
# Lists: python tools/data/prepare_annotations.py lvu --ann-dir
#   data/lvu/lvu_1.0 --video-dir data/lvu/videos --out-dir data/lvu
# paper: accuracy 62.50
_base_ = ['./videomamba-tiny_k400-f32-pre_8xb32-u32-70e_breakfast-rgb.py']
from mmvssm.utils import derive

lvu_task = 'relationship'
num_classes = 4
model = derive.classes(_base_, num_classes)
data_prefix = dict(video='data/lvu/videos')
train_dataloader = dict(
    dataset=dict(
        ann_file=f'data/lvu/lvu_{lvu_task}_train_list_videos.txt',
        data_prefix=data_prefix,
    )
)
val_dataloader = dict(
    dataset=dict(
        type='LVUDataset',
        task=lvu_task,
        ann_file=f'data/lvu/lvu_{lvu_task}_val_list_videos.txt',
        data_prefix=data_prefix,
    )
)
test_dataloader = dict(
    dataset=dict(
        val_dataloader['dataset'],
        ann_file=f'data/lvu/lvu_{lvu_task}_test_list_videos.txt',
    )
)
