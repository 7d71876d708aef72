"""Scale-out: the observation archive as partitioned GeoParquet, and replays of it on Dask.

Years of observations do not belong in the operational database, and
checking a new rule or a new plan against them should not wait on one
process. `archive` writes and reads the archive (day and sector partitions;
`export_store`, `import_archive`, `partitions`, `stats`) and moves it to and
from a store; `replay.replay` runs the verification functions over it in one
process or on a cluster with results independent of the partitioning, the
day's incidents stitched at midnight by `blocks`; `compare.compare` sets two
agreements side by side over the same archive.

Needs the `scale` extra (pyarrow, dask.distributed), so nothing is imported
here: `import accord.scale` works without it.
"""
