# Copyright (c) mmvssm contributors. All rights reserved.
"""Check an MSTA class-description file.

``python tools/misc/check_descriptions.py FILE [CLASSNAMES] [--num N]``

FILE is a JSON object ``{"<class index>": [sentence, ...]}`` (or the name of
a shipped file, e.g. ``synthetic_motion_spatial_base``). CLASSNAMES (a class
list: a shipped name such as ``hmdb51``, a text file with one name a line,
or a ViFi-CLIP ``id,name`` CSV) gives the number of classes it must
describe; ``--num`` the sentences per class. Prints every problem on a line
of its own and exits 1, or prints a summary and exits 0.
"""

import argparse
import sys

import mmvssm  # noqa: F401  (stack fixes first)
from mmvssm.datasets.description_files import (
    description_problems,
    load_descriptions,
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Validate an MSTA class-description JSON file'
    )
    parser.add_argument('file', help='description file (or shipped name)')
    parser.add_argument(
        'class_names',
        nargs='?',
        default=None,
        help='class list the file must describe (shipped name or file)',
    )
    parser.add_argument(
        '--num',
        type=int,
        default=None,
        help='sentences per class N (default: the most common count)',
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    num_classes = None
    if args.class_names is not None:
        from mmvssm.models.text.text_branch import load_class_names

        try:
            num_classes = len(load_class_names(args.class_names))
        except (OSError, ValueError) as exc:
            print(f'error: {exc}')
            return 1
    problems = description_problems(args.file, num_classes, args.num)
    for problem in problems:
        print(f'error: {problem}')
    if problems:
        print(f'{len(problems)} problem(s) in {args.file}')
        return 1
    descriptions = load_descriptions(args.file, num_classes, args.num)
    print(
        f'{args.file}: OK, {len(descriptions)} classes x '
        f'{len(descriptions[0])} descriptions'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
