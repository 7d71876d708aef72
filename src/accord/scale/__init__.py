"""Scale-out: the observation archive as partitioned GeoParquet, and replays of it on Dask.

`archive` writes and reads the archive (day and sector partitions) and moves
it to and from a store; `replay` runs the verification functions over it in
one process or on a cluster with results independent of the partitioning;
`compare` sets two agreements side by side over the same archive. Needs the
`scale` extra (pyarrow, dask.distributed).
"""
