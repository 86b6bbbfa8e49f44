"""`hinge-mirror models fetch|list|verify`: get the models (MoveNet for the pose, BlazePose for
the back's shape) and check what is there."""

from __future__ import annotations

import sys


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="fetch, list and verify the models (MoveNet, BlazePose)",
                              description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    f = sub.add_parser("fetch", help="download models into the user cache, checked")
    f.add_argument("variant", nargs="?", help="one variant, e.g. thunder_int8 (default: the pose "
                                              "model lightning_int8 and the back-shape model blazepose_full)")
    f.add_argument("--dir", help="directory to write into (default: the user cache)")
    f.add_argument("--url", help="download from here instead of the official URL")
    sub.add_parser("list", help="the variants, where each was found, and their state")
    sub.add_parser("verify", help="check every model found; non-zero exit if any is bad")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    from kiosk.pose import model_files as mf

    if args.models_command == "fetch":
        if args.url and not args.variant:
            from kiosk.errors import UserError

            raise UserError("--url needs the VARIANT it is a copy of, e.g. models fetch lightning_int8 --url ...")
        for v in [mf.variant(args.variant)] if args.variant else mf.defaults():
            print(f"fetching {v.name} from {args.url or v.url}", file=sys.stderr)
            path = mf.fetch(v.name, args.dir, args.url)
            print(f"{v.name}: {path} ({'verified' if v.sha256 else 'TFLite file, no checksum'})")
        return 0
    rows = mf.status()
    default, back = mf.load_manifest()[1], mf.back_shape_variant().name
    bad = 0
    for v, path, state in rows:
        if args.models_command == "verify" and path is None:
            continue
        bad += path is not None and not state.startswith("ok")
        mark = "*" if v.name in (default, back) else " "
        print(f"{mark} {v.name:18s} {v.role:10s} {v.input_size:4d}px  {state if path is None else path}"
              + ("" if path is None else f"  [{state}]"))
    if args.models_command == "verify":
        if not any(p for _, p, _ in rows):
            print("no model found; fetch one with: hinge-mirror models fetch", file=sys.stderr)
            return 2
        return 1 if bad else 0
    print("search order: --model, config, " + ", ".join(str(d) for d in mf.search_dirs()),
          file=sys.stderr)
    return 0
