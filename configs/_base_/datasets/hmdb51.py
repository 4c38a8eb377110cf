# HMDB51, split 1 (point at the split_2/3 files for the others): mmaction2's standard layout (see README "Data preparation"):
#   data/hmdb51/videos/<class>/<name>.avi, data/hmdb51/hmdb51_{train,val}_split_1_videos.txt
# Pipelines and loaders come from kinetics400.py; only the files differ.
_base_ = ['./kinetics400.py']

data_root = 'data/hmdb51/videos'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_val = 'data/hmdb51/hmdb51_val_split_1_videos.txt'

train_dataloader = dict(
    dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root))
)
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root))
)
test_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root))
)
