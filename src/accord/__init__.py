"""accord: a peace settlement as working software.

A settlement's terms as data (`agreement`, `plans`), analysed for what the
parties could sign (`negotiate`), drawn on the map (`geo`), monitored by the
mission's observers (`ops`, `verify`) with every verdict in a tamper-evident
ledger (`ledger`, `store`, `book`), driving the incentives (`conditions`),
tested on simulated scenarios (`sim`), replayed at scale (`scale`), reported
(`report`) and served to the parties (`service`). `lifecycle` is the main job
end to end; `cli` is the `accord` command. Packages import only from those
before them in this order.
"""

__version__ = "0.1.0"
