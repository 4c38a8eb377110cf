# UCF101, split 1 (point at the split_2/3 files for the others): mmaction2's standard layout (see README "Data preparation"):
#   data/ucf101/videos/<class>/<name>.avi, data/ucf101/ucf101_{train,val}_split_1_videos.txt
# Pipelines and loaders come from kinetics400.py; only the files differ.
_base_ = ['./kinetics400.py']

data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_file_val = 'data/ucf101/ucf101_val_split_1_videos.txt'

train_dataloader = dict(
    dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root))
)
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root))
)
test_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root))
)
