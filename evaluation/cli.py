"""The ``evaluation`` command-line program.

Each subcommand parses its arguments here and calls one public function of the
package; the work lives in the package so that notebooks and researchers call
the same code. Errors go to stderr, and every subcommand exits with the same code
for the same kind of error (:data:`EXIT_CODES`, printed by ``evaluation --help``).

Example
-------
$ evaluation validate data/ostrava --lang en
$ evaluation validate 'postgresql://db.example/kp?schema=evaluation'
$ evaluation synth --out demo_data --seed 2019
$ evaluation run configs/example.yaml --resume
$ evaluation init kolin
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from evaluation import __version__

EXIT_OK, EXIT_DATA_UNUSABLE, EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

#: The one table of exit codes: every subcommand uses it, ``--help`` and the README print it.
EXIT_CODES = (
    (EXIT_OK, "success (validate: the data are usable)"),
    (EXIT_DATA_UNUSABLE, "the data cannot be used: the validation report says why (validate, run, demo)"),
    (EXIT_USAGE, "wrong command line or configuration, a missing file or folder, nothing to resume, "
                 "a results folder without results"),
    (EXIT_FAILED, "a notebook failed, or the reports could not be rendered"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl+C); `evaluation run CONFIG --resume` continues a run"),
)


def exit_codes_text() -> str:
    return "exit codes:\n" + "\n".join(f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES)


def _key_from(args: argparse.Namespace) -> bytes | None:
    """The pseudonymisation key comes from a file or an environment variable, never the command line."""
    from evaluation.errors import ConfigError

    if getattr(args, "key_file", None):
        key = Path(args.key_file).read_bytes().strip()
        if not key:
            raise ConfigError(f"the key file {args.key_file} is empty")
        return key
    if getattr(args, "key_env", None):
        value = os.environ.get(args.key_env)
        if not value:
            raise ConfigError(f"environment variable {args.key_env} is empty or not set")
        return value.encode("utf-8")
    return None


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _cmd_validate(args: argparse.Namespace) -> int:
    from evaluation.data.loader import validate_source

    report = validate_source(args.folder, pseudonymise_key=_key_from(args),
                             study_period=_period(args.study_period))
    print(report.to_text(lang=args.lang))
    if args.problems_csv:
        print(f"{'úplný seznam problémů' if args.lang == 'cs' else 'full list of problems'}: "
              f"{report.to_csv(args.problems_csv)}")
    return EXIT_OK if report.ok else EXIT_DATA_UNUSABLE


def _cmd_synth(args: argparse.Namespace) -> int:
    from evaluation.synthetic import generate

    out = generate(args.out, seed=args.seed, scale=args.scale, formats=tuple(args.format), national=args.national)
    print(f"synthetic data written to {out}")
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _cmd_run(args: argparse.Namespace) -> int:
    from evaluation.runner import run_config

    if hasattr(signal, "SIGTERM"):  # a stopped CI job or `kill`: stop the kernels as Ctrl+C does
        signal.signal(signal.SIGTERM, _interrupt)
    summary = run_config(args.config, progress=not args.no_progress, resume=args.resume, force=args.force,
                         key=_key_from(args), say=_say)
    # a failed run's summary names the notebook and cell: it belongs on stderr with the exit code
    print(summary, file=sys.stdout if summary.ok else sys.stderr)
    if summary.ok:
        return EXIT_OK
    return EXIT_INTERRUPTED if summary.status == "interrupted" else EXIT_FAILED


def _cmd_demo(args: argparse.Namespace) -> int:
    from evaluation.runner import run_demo

    out = run_demo(args.out, lang=args.lang, seed=args.seed, progress=not args.no_progress, say=_say)
    print(f"reports written to {out}")
    return EXIT_OK


def _cmd_render(args: argparse.Namespace) -> int:
    from evaluation.reporting import render_reports
    from evaluation.runner.plan import check_results_folder

    check_results_folder(args.results)
    paths = render_reports(args.results, args.out, lang=args.lang, formats=tuple(args.format))
    for path in paths:
        print(path)
    return EXIT_OK


def _cmd_publish(args: argparse.Namespace) -> int:
    from evaluation.reporting.publication import publish_results
    from evaluation.runner.plan import check_results_folder

    check_results_folder(args.internal, published=False)
    summary = publish_results(args.internal, args.out, threshold=args.threshold, langs=tuple(args.lang))
    print(summary)
    return EXIT_OK


def _cmd_dashboard(args: argparse.Namespace) -> int:
    from evaluation.reporting.dashboard import write_dashboard

    print(write_dashboard(args.results, args.out, lang=args.lang, directory=args.directory))
    return EXIT_OK


def _cmd_init(args: argparse.Namespace) -> int:
    from evaluation.runner.scaffold import init_folder

    written = init_folder(args.folder)
    print(f"evaluation folder written to {args.folder} ({len(written)} files); next: read "
          f"{Path(args.folder) / 'README.md'}")
    return EXIT_OK


def _period(text: str | None) -> tuple[str, str] | None:
    from evaluation.errors import ConfigError

    if not text:
        return None
    start, sep, end = text.partition(":")
    if not sep:
        raise ConfigError("--study-period must look like 2019-01-01:2023-12-31")
    return start, end


def _key_options(parser: argparse.ArgumentParser) -> None:
    keys = parser.add_mutually_exclusive_group()
    keys.add_argument("--key-file", metavar="FILE",
                      help="file holding the secret key for pseudonymising identifier columns")
    keys.add_argument("--key-env", metavar="VAR", help="environment variable holding that key")


def build_parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="evaluation", formatter_class=formatter,
        description="Process, impact and economic evaluation of social-housing programmes.",
        epilog="Run 'evaluation COMMAND --help' for the options of one command.\n\n" + exit_codes_text())
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=description, epilog=exit_codes_text(),
                              formatter_class=formatter)

    p = command("validate", "check a data folder (or database) against the data contract",
                "Check every file of a data folder against data_schema/ and list every problem with "
                "file, row, column and rule. A PostgreSQL address instead of the folder checks the "
                "database's tables, naming each record by its primary key; the password comes from "
                "the environment (PGPASSWORD, ~/.pgpass), never from the address.")
    p.add_argument("folder", metavar="FOLDER_OR_ADDRESS",
                   help="folder with households.csv, tenancies.xlsx, ... or a database address "
                        "postgresql://host/database?schema=SCHEMA")
    p.add_argument("--lang", choices=("cs", "en"), default="cs", help="language of the report (default cs)")
    p.add_argument("--study-period", metavar="START:END", help="override the study period, e.g. 2019-01-01:2023-12-31")
    p.add_argument("--problems-csv", type=Path, metavar="PATH",
                   help="also write the full list of problems to this CSV file (; separated, UTF-8)")
    _key_options(p)
    p.set_defaults(func=_cmd_validate)

    p = command("synth", "generate synthetic pilot data with a known truth",
                "Write synthetic data that follows the data contract, with the true effects in truth.json. "
                "The same seed gives the same bytes.")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="1 = the pilots; larger grows the comparison and contact-point data towards national size")
    p.add_argument("--format", nargs="+", choices=("parquet", "csv"), default=["parquet", "csv"],
                   help="file formats to write (default both)")
    p.add_argument("--national", action="store_true",
                   help="the national roll-out of the 132 housing contact points (zákon č. 175/2025 Sb.) instead "
                        "of the pilots: ORP panel, applications, households, support contacts")
    p.set_defaults(func=_cmd_synth)

    p = command("run", "run the evaluation notebooks from a configuration file",
                "Execute the parameterised notebooks named in CONFIG (YAML) with papermill and render the "
                "reports. Notebooks already done with the same data, parameters and code are kept (see "
                "OUTPUT/run.json); Ctrl+C stops the running notebooks and --resume continues.")
    p.add_argument("config", type=Path, help="YAML configuration file (keys: configs/config.schema.json)")
    again = p.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true",
                       help="continue a run that failed or was interrupted (needs OUTPUT/run.json)")
    again.add_argument("--force", action="store_true", help="run every notebook again, even those up to date")
    _key_options(p)
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (one line per notebook instead)")
    p.set_defaults(func=_cmd_run)

    p = command("demo", "generate synthetic data, run everything, render the reports",
                "The whole pipeline on bundled synthetic data: generate, validate, run every strand and "
                "render the policy brief and technical report.")
    p.add_argument("--out", type=Path, default=Path("output"), help="output folder (default ./output)")
    p.add_argument("--lang", choices=("cs", "en"), default="cs", help="report language (default cs)")
    p.add_argument("--seed", type=int, default=2019, help="random seed of the synthetic data")
    p.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    p.set_defaults(func=_cmd_demo)

    p = command("publish", "protect a run's internal results into a folder that may be shared",
                "Protect everything the notebooks of a run stored (every scope, table, figure, key figure and "
                "sentence) together, and write the published results folder that reports are made from and "
                "that may be shared (OUTPUT/published/results of a run).")
    p.add_argument("internal", type=Path, help="internal results folder (OUTPUT/internal/results)")
    p.add_argument("--out", type=Path, required=True, help="published results folder to write")
    p.add_argument("--threshold", type=int, default=None, help="smallest count shown (default: the run's)")
    p.add_argument("--lang", nargs="+", choices=("cs", "en"), default=["cs", "en"],
                   help="languages the figures are drawn in")
    p.set_defaults(func=_cmd_publish)

    p = command("render", "render reports from a published results folder",
                "Render the policy brief and technical report from a published results folder "
                "(OUTPUT/published/results of a run, or one written by evaluation publish).")
    p.add_argument("results", type=Path, help="published results folder")
    p.add_argument("--out", type=Path, required=True, help="where to write the reports")
    p.add_argument("--lang", choices=("cs", "en"), default="cs")
    p.add_argument("--format", nargs="+", choices=("html", "pdf", "docx"), default=["html", "pdf", "docx"])
    p.set_defaults(func=_cmd_render)

    p = command("dashboard", "write the contact-point dashboard (one HTML file) from a published results folder",
                "Write a self-contained HTML dashboard over every contact point and scope of a run (applications, "
                "decisions, processing times, lost applications, equality of care, need by ETHOS category; filters "
                "by region and contact point). It is made from the published results only, so it shows what the "
                "reports show, and opens offline from a file or a shared drive.")
    p.add_argument("results", type=Path, help="published results folder (OUTPUT/published/results)")
    p.add_argument("--out", type=Path, required=True, help="HTML file to write (a folder: dashboard.html inside)")
    p.add_argument("--lang", choices=("cs", "en"), default="cs", help="language the page opens in (default cs)")
    p.add_argument("--directory", type=Path, default=None, metavar="CSV",
                   help="contact points with their district and region (columns contact_point, district, region)")
    p.set_defaults(func=_cmd_dashboard)

    p = command("init", "start an evaluation folder for a new municipality",
                "Write a commented configuration, an empty data folder, data templates (CSV and XLSX with "
                "Czech headers and an explanation of every field), the notebooks and a README (Czech and "
                "English) saying what to fill in and which commands to run.")
    p.add_argument("folder", type=Path, help="folder to create (must not hold an evaluation already)")
    p.set_defaults(func=_cmd_init)
    return parser


def _exit_code(exc: BaseException) -> int | None:
    """The exit code of an error the toolkit expects, or None (a bug: let it raise)."""
    from evaluation.errors import ConfigError, DataError, EvaluationError

    if isinstance(exc, DataError):
        return EXIT_DATA_UNUSABLE
    if isinstance(exc, (ConfigError, FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError)):
        return EXIT_USAGE
    if isinstance(exc, EvaluationError):
        return EXIT_FAILED
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logger = logging.getLogger("evaluation")
    if not logger.handlers:  # kernel restarts and similar notices, one line each on stderr
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("warning: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the domain errors carry a message written for the user
        code = _exit_code(exc)
        if code is None:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
