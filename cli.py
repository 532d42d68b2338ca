"""Command line of omnidesk-macros: a thin layer that parses options, calls the library, prints.

Exit codes (mapped here only, from the error's class): 0 success; 1 a domain error (bad templates, a
letter that cannot be made, Omnidesk refused); 2 wrong usage or settings (ConfigError, click usage).
Anything else is a bug and keeps its traceback. Hints that name this command line's options are worded
here too; the library's messages name no flag, since a web form has none.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from omnidesk_macros.errors import CaseDataError, ConfigError, OmnideskMacrosError, TransportError
from omnidesk_macros.loader import default_templates_dir

if TYPE_CHECKING:
    from print_service.db import Database
    from sync.client import Client

#: exit status per error class; the first class in an error's MRO found here wins, else 1
EXIT_CODES: dict[type[OmnideskMacrosError], int] = {ConfigError: 2}
#: the `sandbox` option that sets each setting a sandbox ConfigError can name
SANDBOX_OPTIONS = {"host": "--host", "port": "--port", "data": "--data", "rate_limit_per_minute": "--rate-limit",
                   "email": "--email", "api_key": "--api-key"}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="omnidesk-macros")
def cli() -> None:
    """Standard replies of ООО «СКС»: validate the sources, list them, compile and sync them to Omnidesk
    (what its API can write, and a checklist for the rest), print letters on the letterhead (from a case
    file or an Omnidesk case), and try it all on a local Omnidesk sandbox."""


@cli.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="json prints one object with every diagnostic, for CI and editors; github prints "
                   "GitHub Actions annotations (::error file=…,line=…::), so problems show on the pull request.")
def validate_command(path: Path | None, strict: bool, fmt: str) -> None:
    """Check every template, the card and the appeal types; report all problems at once.

    PATH is the templates folder (default: ./templates_src). Exit status: 0 clean, 1 errors
    (with --strict, warnings too).
    """
    from omnidesk_macros.validate import validation_report

    report = validation_report(path or default_templates_dir(), strict=strict)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for item in report.diagnostics:
            click.echo(item.github() if fmt == "github" else item.format())
        click.echo(report.summary() + (" — warnings count as errors (--strict)" if strict and report.warnings else ""))
    if not report.ok:
        raise SystemExit(1)


@cli.command("list")
@click.option("--templates", "path", type=click.Path(path_type=Path), help="Templates folder.")
@click.option("--type", "appeal_type", help="Only this appeal type (its id).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_command(path: Path | None, appeal_type: str | None, fmt: str) -> None:
    """Show the appeal types and the templates each offers, as the specialist's popup lists them."""
    from omnidesk_macros.catalogue import load_catalogue

    catalogue = load_catalogue(path or default_templates_dir())
    if appeal_type is not None:
        only = catalogue.only(appeal_type)
        if only is None:
            raise click.BadParameter(f"no appeal type '{appeal_type}'", param_hint="--type")
        catalogue = only
    if fmt == "json":
        click.echo(json.dumps(catalogue.as_dict(variable_names_only=True), ensure_ascii=False, indent=2))
        return
    for kind in catalogue.appeal_types:
        click.echo(f"{kind.title}  [{kind.id}]")
        for item in kind.templates:
            click.echo(f"    {item.id:<28} {item.title}  ({', '.join(item.channels)})")


@cli.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Loopback address to listen on (127.0.0.1, ::1 or localhost); any other is refused.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port; 0 picks a free one.")
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path), default=Path("sandbox.sqlite3"),
              show_default=True, help="SQLite file with the sandbox state; seeded with demo data when new.")
@click.option("--email", default="admin@sandbox.local", show_default=True, help="Staff email it accepts.")
@click.option("--api-key", default="sandbox-key", show_default=True, help="API key it accepts.")
@click.option("--rate-limit", default=300, show_default=True, type=click.IntRange(min=1),
              help="Requests per minute it allows (1 or more).")
def sandbox_command(host: str, port: int, data: Path, email: str, api_key: str, rate_limit: int) -> None:
    """Run a local Omnidesk stand-in: the documented /api, demo data, /_admin for macros and faults."""
    from sync.sandbox import SandboxConfig, SandboxServer

    config = SandboxConfig(email=email, api_key=api_key, rate_limit_per_minute=rate_limit)
    with SandboxServer(data, host=host, port=port, config=config) as server:
        click.echo(f"Omnidesk sandbox at {server.url}/api  (admin: {server.url}/_admin, data: {data})")
        click.echo(f"  OMNIDESK_URL={server.url} OMNIDESK_EMAIL={email} OMNIDESK_API_KEY={api_key}")
        click.echo(f"  curl -u {email}:{api_key} {server.url}/api/cases.json")
        click.echo("Press Ctrl-C to stop.")
        server.serve_until_stopped()
    click.echo("Stopped.")


@cli.command("render")
@click.argument("template_id")
@click.option("--case-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON with case, client, staff and fill (see examples/case.json).")
@click.option("--case", "case_number", metavar="NUMBER",
              help="Read the case from Omnidesk instead (OMNIDESK_* settings, or the local sandbox).")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="A fill-in variable of the template; repeat for several.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The DOCX to write (default: TEMPLATE_CASE.docx here).")
@click.option("--pdf", is_flag=True, help="Also convert to PDF with LibreOffice, beside the DOCX.")
@click.option("--templates", "path", type=click.Path(path_type=Path), help="Templates folder.")
def render_command(template_id: str, case_file: Path | None, case_number: str | None, variables: tuple[str, ...],
                   out: Path | None, pdf: bool, path: Path | None) -> None:
    """Print one reply on the letterhead: the template filled from the case, as DOCX (and PDF)."""
    from omnidesk_macros.letter.printing import print_letter_for_case_file

    if (case_file is None) == (case_number is None):
        raise click.UsageError("give the case either as --case-file CASE.json or as --case NUMBER")
    fill = {}
    for item in variables:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"'{item}' is not NAME=VALUE", param_hint="--var")
        fill[name.strip()] = value
    root = path or default_templates_dir()
    if case_file is not None:
        letter = print_letter_for_case_file(root, template_id, case_file, fill, out, pdf)
    else:
        from sync.case_letter import render_case_letter
        from sync.client import Client

        with Client(on_wait=lambda message: click.echo(message, err=True)) as omnidesk:
            letter = render_case_letter(omnidesk, root, template_id, str(case_number), fill, out, pdf)
    click.echo(letter.docx)
    if letter.pdf:
        click.echo(letter.pdf)


@cli.command("demo")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"), show_default=True,
              help="Folder for the letters and the sandbox's SQLite file.")
@click.option("--templates", "path", type=click.Path(path_type=Path), help="Templates folder.")
@click.option("--case-file", type=click.Path(dir_okay=False, path_type=Path),
              help="The invented case the sample letters are printed for (default: examples/case.json when "
                   "present, else a built-in sample).")
def demo_command(out: Path, path: Path | None, case_file: Path | None) -> None:
    """The main job on the embedded default: validate, print every letter, compare with the sandbox."""
    from sync.demo import run_demo

    run_demo(path or default_templates_dir(), out, case_file, progress=click.echo)


# ---------------------------------------------------------------------------------------------- build and sync


@cli.command("build")
@click.option("--templates", "path", type=click.Path(path_type=Path), help="Templates folder.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for omnidesk-desired.json.")
def build_command(path: Path | None, out: Path) -> None:
    """Compile the templates into the desired Omnidesk state, as JSON (byte-identical on re-run)."""
    from omnidesk_macros.compile import build

    click.echo(build(path or default_templates_dir(), out))


@cli.group("sync")
def sync_group() -> None:
    """Make Omnidesk match templates_src/: plan, push, verify, pull (OMNIDESK_* settings or the sandbox)."""


@contextmanager
def _sync_errors() -> Iterator[None]:
    """Sync commands exit 1 on any error, because 2 and 3 mean "changes pending" and "manual steps left"."""
    try:
        yield
    except OmnideskMacrosError as exc:
        show_error(exc)
        raise SystemExit(1) from exc


def _client() -> Client:
    from sync.client import Client

    return Client(on_wait=lambda message: click.echo(message, err=True))


@sync_group.command("plan")
@click.option("--templates", "path", type=click.Path(path_type=Path), help="Templates folder.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown is for a CI job summary ($GITHUB_STEP_SUMMARY).")
@click.option("--prune", is_flag=True, help="Also plan deleting unowned objects in what the tool manages.")
def sync_plan_command(path: Path | None, fmt: str, prune: bool) -> None:
    """Show every difference between templates_src/ and Omnidesk. Exit 0 none, 2 changes pending, 1 error."""
    from sync.apply import plan_sources
    from sync.plan import format_plan, format_plan_markdown

    with _sync_errors(), _client() as omnidesk:
        plan = plan_sources(path or default_templates_dir(), omnidesk, prune=prune)
    if fmt == "json":
        click.echo(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_plan_markdown(plan) if fmt == "markdown" else format_plan(plan), nl=fmt != "markdown")
    raise SystemExit(2 if plan.changes else 0)


@sync_group.command("push")
@click.option("--templates", "path", type=click.Path(path_type=Path), help="Templates folder.")
@click.option("--yes", is_flag=True, help="Do not ask; apply the plan.")
@click.option("--prune", is_flag=True, help="Also delete unowned objects in what the tool manages.")
@click.option("--overwrite", is_flag=True, help="Restore objects edited in Omnidesk since the last push.")
@click.option("--checklist", "checklist_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the administrator's checklist (default: ./omnidesk-checklist).")
def sync_push_command(path: Path | None, yes: bool, prune: bool, overwrite: bool, checklist_dir: Path | None) -> None:
    """Apply what the API can write, write the checklist of manual steps. Exit 0 done, 3 manual steps left, 1 error."""
    from sync.apply import push
    from sync.plan import Plan, format_plan

    def confirm(plan: Plan) -> bool:
        click.echo(format_plan(plan))
        if not sys.stdin.isatty():
            click.echo("No terminal to confirm on: nothing written (pass --yes to apply).", err=True)
            return False
        return click.confirm(f"Apply the {len(plan.api_changes)} API change(s)?", default=False)

    with _sync_errors(), _client() as omnidesk:
        result = push(path or default_templates_dir(), omnidesk, confirm=None if yes else confirm, prune=prune,
                      overwrite=overwrite, checklist_dir=checklist_dir or Path("omnidesk-checklist"),
                      progress=lambda line: click.echo(line, err=True))
    if not result.confirmed:
        raise SystemExit(1)
    click.echo(f"{len(result.applied)} change(s) applied, {result.requests} API request(s).")
    if result.checklist and result.checklist.open_steps:
        click.echo(f"{len(result.checklist.open_steps)} manual step(s) left: {result.checklist.folder}/checklist.html")
        raise SystemExit(3)


@sync_group.command("verify")
@click.option("--templates", "path", type=click.Path(path_type=Path), help="Templates folder.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def sync_verify_command(path: Path | None, fmt: str) -> None:
    """Name every object changed in Omnidesk or in git since the last push. Exit 0 agree, 2 drift, 1 error."""
    from sync.verify import drift_report, format_drifts, verify

    with _sync_errors(), _client() as omnidesk:
        drifts, requests = verify(path or default_templates_dir(), omnidesk)
    click.echo(json.dumps(drift_report(drifts, requests), ensure_ascii=False, indent=2) if fmt == "json"
               else format_drifts(drifts, requests))
    raise SystemExit(2 if drifts else 0)


@sync_group.command("pull")
@click.option("--templates", "path", type=click.Path(path_type=Path),
              help="Templates folder whose appeal types and lock file are used.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the template files, e.g. templates_src/replies.")
@click.option("--force", is_flag=True, help="Overwrite files that exist in --out.")
def sync_pull_command(path: Path | None, out: Path, force: bool) -> None:
    """Import the account's macros as template files (HTML → Markdown), naming each macro skipped and why."""
    from sync.pull import pull

    with _sync_errors(), _client() as omnidesk:
        result = pull(path or default_templates_dir(), omnidesk, out, force=force)
    for item in result.written:
        click.echo(f"wrote {item.path} «{item.title}» (appeal types: {', '.join(item.appeal_types) or 'none'})")
        for note in item.notes:
            click.echo(f"    note: {note}")
    for skipped in result.skipped:
        click.echo(f"skipped «{skipped.title}» (macro {skipped.macro_id}): {skipped.reason}")
    click.echo(f"{len(result.written)} template(s) written, {len(result.skipped)} macro(s) skipped; "
               f"{result.requests} API request(s). Review them, then run `omnidesk-macros validate`.")


@cli.group("sandbox-admin")
def sandbox_admin_group() -> None:
    """Play the Omnidesk administrator on a running sandbox (what only the admin UI can do)."""


@sandbox_admin_group.command("apply-checklist")
@click.argument("checklist", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                default=Path("omnidesk-checklist/checklist.json"))
@click.option("--url", envvar="OMNIDESK_URL", default="http://127.0.0.1:8765", show_default=True,
              help="The sandbox (default: OMNIDESK_URL when set).")
def apply_checklist_command(checklist: Path, url: str) -> None:
    """Perform the open steps of a push's checklist.json in the sandbox, pasting texts as its editor would."""
    from sync.sandbox.administrator import post_checklist

    result = post_checklist(url, checklist)
    click.echo(f"{len(result['performed'])} step(s) performed, {len(result['skipped'])} skipped "
               f"{', '.join(result['skipped'])}".rstrip())


def exit_code(exc: OmnideskMacrosError) -> int:
    return next((EXIT_CODES[k] for k in type(exc).__mro__ if k in EXIT_CODES), 1)


def hint(exc: OmnideskMacrosError) -> str:
    """This command line's own advice for an error, naming its options."""
    if isinstance(exc, CaseDataError):
        fill = [p for p in exc.problems if p.field.startswith("fill.")]
        if any(p.missing for p in fill):
            return "give fill-in values with --var NAME=VALUE"
        if fill:  # only wrong ones: the user gave them, perhaps with --var already
            return "correct the fill-in values (--var NAME=VALUE overrides the case file's)"
    if isinstance(exc, TransportError) and exc.sandbox_down:
        return "start it with `omnidesk-macros sandbox` in another terminal"
    if isinstance(exc, ConfigError) and exc.setting in SANDBOX_OPTIONS:
        return f"set it with {SANDBOX_OPTIONS[exc.setting]}"
    return ""


def show_error(exc: OmnideskMacrosError) -> None:
    """The error as every command prints it: the library's message, then this command line's hint if any."""
    advice = hint(exc)
    click.echo(f"Error: {exc}" + (f"\n    hint: {advice}" if advice else ""), err=True)


# ---------------------------------------------------------------------------------------------- print service

SERVICE_DATA = Path("service-data")
DATA_HELP = "Folder of the print service's SQLite file."
data_option = click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=SERVICE_DATA,
                           show_default=True, help=DATA_HELP)


def _open_database(_ctx: click.Context, _param: click.Parameter, data_dir: Path) -> Database:
    from print_service.db import Database

    return Database(data_dir)


#: --data for the commands that work on the print service's database: they get it opened
database_option = click.option("--data", "db", type=click.Path(file_okay=False, path_type=Path), default=SERVICE_DATA,
                               show_default=True, help=DATA_HELP, callback=_open_database)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8780, show_default=True, type=int, help="Port to listen on.")
@data_option
@click.option("--templates", "path", type=click.Path(path_type=Path), help="Templates folder.")
def serve_command(host: str, port: int, data_dir: Path, path: Path | None) -> None:
    """Run the print service: case page, letter on the letterhead, registry (see README "Print service")."""
    import os

    from print_service.server import build, configure_logging, demo_account, run
    from sync.settings import ENV_VARS, OmnideskSettings

    configure_logging()
    sandbox_server = None
    if any(os.environ.get(name, "").strip() for name in ENV_VARS):
        omnidesk = OmnideskSettings.from_env()
    else:
        from sync.sandbox import SandboxServer

        sandbox_server = SandboxServer(data_dir / "sandbox.sqlite3", port=0).start()
        omnidesk = OmnideskSettings(url=sandbox_server.url)
        click.echo(f"No OMNIDESK_* settings: using the bundled sandbox at {sandbox_server.url} "
                   f"(demo data in {data_dir / 'sandbox.sqlite3'}).")
    try:
        app = build(omnidesk, path or default_templates_dir(), data_dir, sandbox=sandbox_server is not None)
        demo = demo_account(app)
        if demo is not None:
            click.echo(f"No account yet: created the sandbox account `{demo.login}`, password {demo.password} "
                       f"(signs as {demo.full_name}, {demo.position}). It is shown only now; change it with "
                       f"`omnidesk-macros users passwd {demo.login}`, add your own with `users add`.")
        click.echo(f"Print service at http://{host}:{port}/  (Omnidesk: {omnidesk.url}). Press Ctrl-C to stop.")
        run(app, host, port)
    finally:
        if sandbox_server is not None:
            sandbox_server.close()


@cli.group("users")
def users_group() -> None:
    """Staff accounts of the print service: add, disable, passwd, list."""


def _new_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_group.command("add")
@click.argument("login")
@click.option("--full-name", required=True, help="ФИО сотрудника: the letters are signed with it.")
@click.option("--position", default="", help="Position above the signature (default: from company.yaml).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@database_option
def users_add(login: str, full_name: str, position: str, password_stdin: bool, db: Database) -> None:
    """Add a staff account (the password is stored as a scrypt hash)."""
    from print_service.accounts import add_user

    account = add_user(db, login, full_name, _new_password(password_stdin), position)
    click.echo(f"added {account.username} ({account.full_name})")


@users_group.command("passwd")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@database_option
def users_passwd(login: str, password_stdin: bool, db: Database) -> None:
    """Set a new password (and re-enable the account); its open sessions end."""
    from print_service.accounts import set_password

    set_password(db, login, _new_password(password_stdin))
    click.echo(f"password of {login} changed")


@users_group.command("disable")
@click.argument("login")
@database_option
def users_disable(login: str, db: Database) -> None:
    """Stop an account from signing in; its open sessions end now."""
    from print_service.accounts import disable_user

    disable_user(db, login)
    click.echo(f"disabled {login}")


@users_group.command("list")
@database_option
def users_list(db: Database) -> None:
    """List the accounts."""
    from print_service.accounts import list_users

    for login, full_name, active in list_users(db):
        click.echo(f"{login:<20} {full_name}{'' if active else '  (disabled)'}")


@cli.group("billing")
def billing_group() -> None:
    """The billing directory the print service looks account numbers up in."""


@billing_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@database_option
def billing_import(file: Path, db: Database) -> None:
    """Replace the directory with a CSV export (account;full_name;address;email;phone); all rows or none."""
    from print_service.billing import import_csv

    click.echo(f"imported {import_csv(db, file)} subscriber(s) from {file}")


@cli.command("letters")
@click.option("--year", type=int, help="Only this year's letters.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
@database_option
def letters_command(year: int | None, fmt: str, db: Database) -> None:
    """The outgoing-letter registry: number, case, template, staff, time, channel, DOCX hash, status."""
    from print_service import registry

    items = registry.entries(db, year)
    click.echo(registry.as_csv(items) if fmt == "csv" else registry.as_table(items), nl=fmt != "csv")


def main() -> None:
    try:
        rv = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except OmnideskMacrosError as exc:
        show_error(exc)
        sys.exit(exit_code(exc))
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
