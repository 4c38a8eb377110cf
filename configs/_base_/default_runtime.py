# Runtime settings shared by every mmvssm config (no mmaction:: inheritance).
# default_scope 'mmvssm' resolves bare names to mmvssm, then mmaction2, then
# mmengine, so configs can mix VideoMamba, Recognizer3D and DecordInit freely.
default_scope = 'mmvssm'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Crash-safe (temp file + rename), saves RNG states for exact resume.
    checkpoint=dict(type='SafeCheckpointHook', interval=1, save_best='auto'),
    # Reports unreadable videos once each, counts them per epoch, checks labels.
    data_check=dict(type='DataCheckHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'),
    # Off unless tools/test.py --show-dir DIR turns it on.
    visualization=dict(type='VideoVisualizationHook', enable=False),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches to gloo when no CUDA device is visible.
    dist_cfg=dict(backend='nccl'),
)

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)

# The val/test loops of every config (test-only rows set val_cfg=None).
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

log_level = 'INFO'
load_from = None
resume = False
