"""The mission's server: the API, OGC API - Features, the dashboard, reports and alerts.

Parties, observers and the public reach the mission's record through one
server. `app.create_app` builds it from `settings.ServiceSettings`. What it
does lives in a core that knows no web framework (`core.Core` for incidents,
submissions and reports, `catalog.Catalog` for plans, negotiation, compliance,
conditions, zones, patrols and the ledger), guarded by `auth` (tokens, roles)
and `access` (who may do and see what), and failing with the `errors` each
mapped to an HTTP status. The routes are thin FastAPI adapters: `api` (/api),
`ogc` (/ogc, with `queryables`) and `http` (shared plumbing), answering in the
shapes of `models`. `alerts` sends new incident transitions to the parties
(CAP, `cap`) and to TAK (`cot`).

Nothing is imported here, so `import accord.service` does not load FastAPI.
"""
