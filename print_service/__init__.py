"""The print service: a specialist at the counter registers an appeal, prints the reply on the letterhead,
and the letter lands on the Omnidesk case (issue 10; spec 1.2–1.6, 2.4, 2.5).

    create_app(settings, omnidesk_settings, templates_root, data_dir) -> Starlette app (app.py)

Layers: this package imports ``omnidesk_macros`` and ``sync``; nothing imports it but ``cli.py``.
Its own data (accounts, sessions, the outgoing-letter registry, the billing directory) lives in one SQLite
file under ``data_dir``.
"""
