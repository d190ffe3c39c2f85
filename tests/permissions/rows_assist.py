"""Matrix rows for the tree draft assistant (admin only)."""
from tests.permissions.matrix import company_row

ROWS = {
    "tree-assist": company_row("admin"),
    "tree-assist-accept": company_row("admin", method="post"),
}
