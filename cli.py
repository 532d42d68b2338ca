"""Command line of omnidesk-macros: a thin layer that parses options, calls the library, prints.

Exit codes: 0 success; 1 a domain error (bad templates, a letter that cannot be made, Omnidesk refused);
2 wrong usage or settings. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from omnidesk_macros.errors import OmnideskMacrosError
from omnidesk_macros.loader import default_templates_dir


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="omnidesk-macros")
def cli() -> None:
    """Standard replies of ООО «СКС»: validate the sources, sync them to Omnidesk, print letters."""


@cli.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json prints one object with every diagnostic, for CI and editors.")
def validate_command(path: Path | None, strict: bool, fmt: str) -> None:
    """Check every template, the card and the appeal types; report all problems at once.

    PATH is the templates folder (default: ./templates_src). Exit status: 0 clean, 1 errors
    (with --strict, warnings too).
    """
    from omnidesk_macros.validate import validate_sources

    root = path or default_templates_dir()
    sources, diags = validate_sources(root)
    failing = diags.errors + (diags.warnings if strict else [])
    if fmt == "json":
        click.echo(json.dumps({
            "path": str(root),
            "templates": len(sources.templates),
            "errors": len(diags.errors),
            "warnings": len(diags.warnings),
            "ok": not failing,
            "diagnostics": [d.as_dict() for d in diags.items],
        }, ensure_ascii=False, indent=2))
    else:
        for item in diags.items:
            click.echo(item.format())
        click.echo(f"{len(sources.templates)} templates, {len(diags.errors)} error(s), {len(diags.warnings)} warning(s)"
                   + (" — warnings count as errors (--strict)" if strict and diags.warnings else ""))
    if failing:
        raise SystemExit(1)


@cli.command("list")
@click.option("--templates", "path", type=click.Path(path_type=Path), help="Templates folder.")
@click.option("--type", "appeal_type", help="Only this appeal type (its id).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_command(path: Path | None, appeal_type: str | None, fmt: str) -> None:
    """Show the appeal types and the templates each offers, as the specialist's popup lists them."""
    from omnidesk_macros.loader import load_sources

    sources = load_sources(path or default_templates_dir())
    kinds = [k for k in sources.appeal_types if appeal_type in (None, k.id)]
    if appeal_type and not kinds:
        raise click.BadParameter(f"no appeal type '{appeal_type}'", param_hint="--type")
    listing: list[dict[str, Any]] = [
        {"id": k.id, "title": k.title,
         "templates": [{"id": t.id, "title": t.title, "channels": list(t.channels),
                        "variables": [v.name for v in t.variables]} for t in sources.templates_for(k.id)]}
        for k in kinds
    ]
    if fmt == "json":
        click.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    for kind in listing:
        click.echo(f"{kind['title']}  [{kind['id']}]")
        for item in kind["templates"]:
            channels = ", ".join(item["channels"])
            click.echo(f"    {item['id']:<28} {item['title']}  ({channels})")


@cli.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port; 0 picks a free one.")
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path), default=Path("sandbox.sqlite3"),
              show_default=True, help="SQLite file with the sandbox state; seeded with demo data when new.")
@click.option("--email", default="admin@sandbox.local", show_default=True, help="Staff email it accepts.")
@click.option("--api-key", default="sandbox-key", show_default=True, help="API key it accepts.")
@click.option("--rate-limit", default=300, show_default=True, type=int, help="Requests per minute it allows.")
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
    from omnidesk_macros.letter.job import render_case, render_with

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
        letter = render_case(root, template_id, case_file, fill, out, pdf)
    else:
        from sync.case_context import context_from_case
        from sync.client import Client

        with Client(on_wait=lambda message: click.echo(message, err=True)) as omnidesk:
            letter = render_with(root, template_id,
                                 lambda sources: context_from_case(omnidesk, sources, str(case_number)),
                                 fill, out, pdf)
    click.echo(letter.docx)
    if letter.pdf:
        click.echo(letter.pdf)


@cli.command("demo")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"), show_default=True,
              help="Folder for the letters and the sandbox's SQLite file.")
@click.option("--templates", "path", type=click.Path(path_type=Path), help="Templates folder.")
@click.option("--case-file", type=click.Path(dir_okay=False, path_type=Path), default=Path("examples/case.json"),
              show_default=True, help="The invented case the sample letters are printed for.")
def demo_command(out: Path, path: Path | None, case_file: Path) -> None:
    """The main job on the embedded default: validate, print every letter, compare with the sandbox."""
    from omnidesk_macros.demo import run_demo

    run_demo(path or default_templates_dir(), out, case_file, progress=click.echo)


# ---------------------------------------------------------------------------------------------- print service

SERVICE_DATA = Path("service-data")
data_option = click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=SERVICE_DATA,
                           show_default=True, help="Folder of the print service's SQLite file.")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8780, show_default=True, type=int, help="Port to listen on.")
@data_option
@click.option("--templates", "path", type=click.Path(path_type=Path), help="Templates folder.")
def serve_command(host: str, port: int, data_dir: Path, path: Path | None) -> None:
    """Run the print service: case page, letter on the letterhead, registry (see README "Print service")."""
    import os

    from print_service.server import build, configure_logging, run
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
@data_option
def users_add(login: str, full_name: str, position: str, password_stdin: bool, data_dir: Path) -> None:
    """Add a staff account (the password is stored as a scrypt hash)."""
    from print_service.accounts import add_user
    from print_service.db import Database

    account = add_user(Database(data_dir), login, full_name, _new_password(password_stdin), position)
    click.echo(f"added {account.username} ({account.full_name})")


@users_group.command("passwd")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@data_option
def users_passwd(login: str, password_stdin: bool, data_dir: Path) -> None:
    """Set a new password (and re-enable the account); its open sessions end."""
    from print_service.accounts import set_password
    from print_service.db import Database

    set_password(Database(data_dir), login, _new_password(password_stdin))
    click.echo(f"password of {login} changed")


@users_group.command("disable")
@click.argument("login")
@data_option
def users_disable(login: str, data_dir: Path) -> None:
    """Stop an account from signing in; its open sessions end now."""
    from print_service.accounts import disable_user
    from print_service.db import Database

    disable_user(Database(data_dir), login)
    click.echo(f"disabled {login}")


@users_group.command("list")
@data_option
def users_list(data_dir: Path) -> None:
    """List the accounts."""
    from print_service.accounts import list_users
    from print_service.db import Database

    for login, full_name, active in list_users(Database(data_dir)):
        click.echo(f"{login:<20} {full_name}{'' if active else '  (disabled)'}")


@cli.group("billing")
def billing_group() -> None:
    """The billing directory the print service looks account numbers up in."""


@billing_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_option
def billing_import(file: Path, data_dir: Path) -> None:
    """Replace the directory with a CSV export (account;full_name;address;email;phone); all rows or none."""
    from print_service.billing import import_csv
    from print_service.db import Database

    click.echo(f"imported {import_csv(Database(data_dir), file)} subscriber(s) from {file}")


@cli.command("letters")
@click.option("--year", type=int, help="Only this year's letters.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
@data_option
def letters_command(year: int | None, fmt: str, data_dir: Path) -> None:
    """The outgoing-letter registry: number, case, template, staff, time, channel, DOCX hash, status."""
    from print_service import registry
    from print_service.db import Database

    items = registry.entries(Database(data_dir), year)
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
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
