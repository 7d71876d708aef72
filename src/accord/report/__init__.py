"""Reports for people: plan comparisons, the negotiation report and the daily report.

What the mission and the negotiators read, rendered from the packages below:
`compare.render` sets plans side by side (terminal, Markdown, HTML, CSV,
JSON); `negotiation.write_report` is the negotiation analysis as one HTML
page; `daily.build_daily` is the mission's daily report over the store (HTML,
and PDF through `daily.to_pdf`), with place-based sections (`daily_sections`),
maps (`maps`) and labels in English, Ukrainian and Russian (`i18n`).
`vocabulary` writes the plan vocabulary as Markdown.

Nothing is imported here: the daily report and the maps bring in matplotlib
and the store, which a plan comparison does not need.
"""
