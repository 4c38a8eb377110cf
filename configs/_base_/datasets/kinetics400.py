# Kinetics-400 videos: mmaction2's standard layout (see README "Data preparation"):
#   data/kinetics400/{videos_train,videos_val}/, data/kinetics400/kinetics400_{train,val}_list_videos.txt
# Files and loaders only: each recipe sets the pipelines (train_pipeline,
# val_pipeline, test_pipeline and the loaders' dataset.pipeline), as in
# mmaction2's model configs.
dataset_type = 'VideoDataset'
data_root = 'data/kinetics400/videos_train'
data_root_val = 'data/kinetics400/videos_val'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'
ann_file_val = 'data/kinetics400/kinetics400_val_list_videos.txt'
ann_file_test = 'data/kinetics400/kinetics400_val_list_videos.txt'
# For pipelines that read through a file client (DecordInit(**file_client_args)).
file_client_args = dict(io_backend='disk')

train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
    ),
)
val_dataloader = dict(
    train_dataloader,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root_val),
        test_mode=True,
    ),
)
# Test: the val loader with one video per step, on the test list.
test_dataloader = dict(
    val_dataloader,
    batch_size=1,
    dataset=dict(val_dataloader['dataset'], ann_file=ann_file_test),
)

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
