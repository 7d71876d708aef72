"""The `accord` command: one module per command group.

`main.app` is the console command; it registers each group by name and
imports its module (`plans`, `negotiate`, `geo`, `ingest`, `verify`,
`ledger`, `serve`, ...) only when that command runs, so `accord --help` stays
fast. `common` holds what every group shares: consoles, options, and turning
user errors into exit codes. Each module is a thin adapter over the packages
below it; nothing is imported here.
"""
