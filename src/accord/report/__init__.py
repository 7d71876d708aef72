"""Reports: plan comparison, and later the daily report (HTML, PDF, charts, maps)."""
