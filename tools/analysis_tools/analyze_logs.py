# Copyright (c) mmvssm contributors. All rights reserved.
"""Plot curves or the time per iteration from mmengine's ``scalars.json``.

mmpretrain's ``analyze_logs.py`` (same sub-commands and options; it reads
the ``vis_data/scalars.json`` that every mmvssm run writes), made to run
headless and to fail in one line::

    python tools/analysis_tools/analyze_logs.py plot_curve \\
        work_dirs/RUN/TIMESTAMP/vis_data/scalars.json \\
        --keys loss acc/top1 --out curve.png
    python tools/analysis_tools/analyze_logs.py cal_train_time SCALARS_JSON

mmaction2's own copy needs seaborn and reads the old log format.
"""

import argparse
import json
import os.path as osp
import runpy
import sys


def _script() -> str:
    import mmpretrain

    return osp.join(
        osp.dirname(mmpretrain.__file__),
        '.mim',
        'tools',
        'analysis_tools',
        'analyze_logs.py',
    )


def _check(argv) -> None:
    """One-line errors for what mmpretrain's script asserts deep inside."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('task', nargs='?')
    parser.add_argument('json_logs', nargs='*')
    parser.add_argument('--keys', nargs='+', default=['loss'])
    args, _ = parser.parse_known_args(argv)
    for log in args.json_logs:
        if not log.endswith('.json') or not osp.isfile(log):
            sys.exit(
                f'error: {log!r} is not a scalars.json file; pass '
                f'work_dirs/RUN/TIMESTAMP/vis_data/scalars.json'
            )
        found = set()
        with open(log) as f:
            for number, line in enumerate(f, 1):
                try:
                    found |= set(json.loads(line))
                except (ValueError, TypeError):
                    sys.exit(f'error: {log}:{number} is not a JSON line')
        missing = [k for k in args.keys if k not in found]
        if args.task == 'plot_curve' and missing:
            known = sorted(found - {'step', 'epoch', 'iter'})
            sys.exit(f'error: {log} has no {missing}; its keys are {known}')


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    _check(argv)
    if '--out' in argv:
        import matplotlib

        matplotlib.use('Agg')  # no display needed to write a file
    script = _script()
    if not osp.isfile(script):
        sys.exit(
            f'error: mmpretrain ships no {script}; reinstall mmpretrain 1.x'
        )
    sys.argv = [script, *argv]
    runpy.run_path(script, run_name='__main__')


if __name__ == '__main__':
    main()
