"""What the search migrations (0004, 0013, 0014) share: SQL written for each database vendor.

The module name starts with "_", so Django's migration loader never takes it for a migration.
"""


def run_sql(statements_by_vendor: dict[str, list[str]]):
    """A ``RunPython`` function that runs the statements written for this database's vendor, in
    order (none on a vendor without any)."""

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run
