# Copyright (c) mmvssm contributors. All rights reserved.
# CLIP ViT-B/16 zero-shot on UCF101 (split 1 test list, 101 classes): no
# training; `python tools/test.py CONFIG` with the OpenAI weights in
# checkpoints/ViT-B-16.pt. The root of the CLIP zero-shot rows. Views (our
# choice): 8 frames uniformly sampled, 4 clips x 3 crops, softmax averaged;
# ActionCLIP's 16 prompt templates, embeddings averaged. No numbers measured
# here yet.
_base_ = [
    '../_base_/models/clip_vit-b16.py',
    '../_base_/datasets/kinetics400.py',
    '../_base_/default_runtime.py',
]
from mmvssm.utils import derive

num_frames = 8
img_size = 224
data_root = 'data/ucf101/videos'
ann_file_test = 'data/ucf101/ucf101_val_split_1_videos.txt'

model = derive.text_classes('ucf101')

test_pipeline = derive.eval_pipeline(
    dict(
        type='UniformSample', clip_len=num_frames, num_clips=4, test_mode=True
    ),
    img_size,
    'ThreeCrop',
    resize=dict(interpolation='bicubic'),
    **_base_.file_client_args,
)
test_dataloader = derive.test_files(ann_file_test, data_root, test_pipeline)

# Test only.
train_dataloader = train_cfg = optim_wrapper = param_scheduler = None
val_dataloader = val_cfg = val_evaluator = None
