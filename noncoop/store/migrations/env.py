"""Alembic environment: the models' metadata, batch mode for SQLite."""

from alembic import context

from noncoop.store import models
from noncoop.store.db import get_engine

config = context.config
target_metadata = models.schema()


def run_migrations_online() -> None:
    engine = get_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
