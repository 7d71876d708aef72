"""Alembic environment: runs on the connection `accord.store` hands it.

The store opens the connection, takes the migration lock and the transaction;
this file only points Alembic at the models so `alembic revision --autogenerate`
can compare them with the database.
"""

from alembic import context

from accord.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
