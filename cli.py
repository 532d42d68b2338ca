"""Command line of omnidesk-macros: a thin layer that parses options, calls the library, prints.

Exit codes: 0 success; 1 a domain error (bad templates, a letter that cannot be made, Omnidesk refused);
2 wrong usage or settings. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys

import click

from omnidesk_macros.errors import OmnideskMacrosError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="omnidesk-macros")
def cli() -> None:
    """Standard replies of ООО «СКС»: validate the sources, sync them to Omnidesk, print letters."""


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
