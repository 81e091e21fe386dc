"""The ``evaluation`` command-line program.

Each subcommand parses its arguments here and calls one public function of the
package; the work lives in the package so that notebooks and researchers call
the same code. Errors go to stderr with a non-zero exit code.

Example
-------
$ evaluation validate data/ostrava --lang en
$ evaluation synth --out demo_data --seed 2019
$ evaluation demo --out output
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from evaluation import __version__

EXIT_OK, EXIT_DATA_UNUSABLE, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def _key_from(args: argparse.Namespace) -> bytes | None:
    """The pseudonymisation key comes from a file or an environment variable, never the command line."""
    if getattr(args, "key_file", None):
        return Path(args.key_file).read_bytes().strip()
    if getattr(args, "key_env", None):
        value = os.environ.get(args.key_env)
        if not value:
            raise SystemExit(f"error: environment variable {args.key_env} is empty or not set")
        return value.encode("utf-8")
    return None


def _cmd_validate(args: argparse.Namespace) -> int:
    from evaluation.data import validate_folder

    report = validate_folder(args.folder, pseudonymise_key=_key_from(args),
                             study_period=_period(args.study_period))
    print(report.to_text(lang=args.lang))
    if args.problems_csv:
        print(f"{'úplný seznam problémů' if args.lang == 'cs' else 'full list of problems'}: "
              f"{report.to_csv(args.problems_csv)}")
    return EXIT_OK if report.ok else EXIT_DATA_UNUSABLE


def _cmd_synth(args: argparse.Namespace) -> int:
    from evaluation.synthetic import generate

    out = generate(args.out, seed=args.seed, scale=args.scale, formats=tuple(args.format))
    print(f"synthetic data written to {out}")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from evaluation.runner import run_config

    summary = run_config(args.config, progress=not args.no_progress)
    # a failed run's summary names the notebook and cell: it belongs on stderr with the exit code
    print(summary, file=sys.stdout if summary.ok else sys.stderr)
    return EXIT_OK if summary.ok else EXIT_FAILED


def _cmd_demo(args: argparse.Namespace) -> int:
    from evaluation.runner import run_demo

    out = run_demo(args.out, lang=args.lang, seed=args.seed, progress=not args.no_progress)
    print(f"reports written to {out}")
    return EXIT_OK


def _cmd_render(args: argparse.Namespace) -> int:
    from evaluation.reporting import render_reports

    paths = render_reports(args.results, args.out, lang=args.lang, formats=tuple(args.format))
    for path in paths:
        print(path)
    return EXIT_OK


def _cmd_publish(args: argparse.Namespace) -> int:
    from evaluation.reporting.publication import publish_results

    summary = publish_results(args.internal, args.out, threshold=args.threshold, langs=tuple(args.lang))
    print(summary)
    return EXIT_OK


def _period(text: str | None) -> tuple[str, str] | None:
    if not text:
        return None
    start, sep, end = text.partition(":")
    if not sep:
        raise SystemExit("error: --study-period must look like 2019-01-01:2023-12-31")
    return start, end


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evaluation",
        description="Process, impact and economic evaluation of social-housing programmes.",
        epilog="Run 'evaluation COMMAND --help' for the options of one command.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("validate", help="check a data folder against the data contract",
                       description="Check every file of a data folder against data_schema/ and "
                                   "list every problem with file, row, column and rule.")
    p.add_argument("folder", type=Path, help="folder with households.csv, tenancies.xlsx, ...")
    p.add_argument("--lang", choices=("cs", "en"), default="cs", help="language of the report (default cs)")
    p.add_argument("--study-period", metavar="START:END", help="override the study period, e.g. 2019-01-01:2023-12-31")
    p.add_argument("--problems-csv", type=Path, metavar="PATH",
                   help="also write the full list of problems to this CSV file (; separated, UTF-8)")
    keys = p.add_mutually_exclusive_group()
    keys.add_argument("--key-file", help="file holding the secret key for pseudonymising identifier columns")
    keys.add_argument("--key-env", metavar="VAR", help="environment variable holding that key")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("synth", help="generate synthetic pilot data with a known truth",
                       description="Write synthetic data that follows the data contract, with the true "
                                   "effects in truth.json. The same seed gives the same bytes.")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="1 = the pilots; larger grows the comparison and contact-point data towards national size")
    p.add_argument("--format", nargs="+", choices=("parquet", "csv"), default=["parquet", "csv"],
                   help="file formats to write (default both)")
    p.set_defaults(func=_cmd_synth)

    p = sub.add_parser("run", help="run the evaluation notebooks from a configuration file",
                       description="Execute the parameterised notebooks named in CONFIG (YAML) with papermill "
                                   "and render the reports.")
    p.add_argument("config", type=Path, help="YAML configuration file")
    p.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("demo", help="generate synthetic data, run everything, render the reports",
                       description="The whole pipeline on bundled synthetic data: generate, validate, run "
                                   "every strand and render the policy brief and technical report.")
    p.add_argument("--out", type=Path, default=Path("output"), help="output folder (default ./output)")
    p.add_argument("--lang", choices=("cs", "en"), default="cs", help="report language (default cs)")
    p.add_argument("--seed", type=int, default=2019, help="random seed of the synthetic data")
    p.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("publish", help="protect a run's internal results into a folder that may be shared",
                       description="Protect everything the notebooks of a run stored (every scope, table, "
                                   "figure, key figure and sentence) together, and write the published "
                                   "results folder that reports are made from and that may be shared.")
    p.add_argument("internal", type=Path, help="internal results folder (<output>/internal/results)")
    p.add_argument("--out", type=Path, required=True, help="published results folder to write")
    p.add_argument("--threshold", type=int, default=None, help="smallest count shown (default: the run's)")
    p.add_argument("--lang", nargs="+", choices=("cs", "en"), default=["cs", "en"],
                   help="languages the figures are drawn in")
    p.set_defaults(func=_cmd_publish)

    p = sub.add_parser("render", help="render reports from a published results folder",
                       description="Render the policy brief and technical report from a published results "
                                   "folder (written by evaluation run or evaluation publish).")
    p.add_argument("results", type=Path, help="published results folder (<output>/published/results)")
    p.add_argument("--out", type=Path, required=True, help="where to write the reports")
    p.add_argument("--lang", choices=("cs", "en"), default="cs")
    p.add_argument("--format", nargs="+", choices=("html", "pdf", "docx"), default=["html", "pdf", "docx"])
    p.set_defaults(func=_cmd_render)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (FileNotFoundError, NotADirectoryError, PermissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # the domain errors carry a message written for the user
        from evaluation.errors import EvaluationError

        if isinstance(exc, EvaluationError):
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        raise


if __name__ == "__main__":
    sys.exit(main())
