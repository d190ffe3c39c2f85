"""Sources objects the matrix needs: a spreadsheet-URL source and a webhook source."""
from metrics.sources.services import source_create


def extend(world):
    source, _secret = source_create(company=world.company, owner=world.user("admin"),
                                    name="Sheet", kind="url", url="https://example.invalid/x.csv")
    world.extra["source"] = source
    hook, _secret = source_create(company=world.company, owner=world.user("admin"),
                                  name="Hook", kind="webhook")
    world.extra["hook_source"] = hook
