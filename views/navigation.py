"""The app's pages in menu order: (file, title, icon), and which of them a user may see (titles in English,
shown through analytics.i18n.t)."""
from analytics import accounts
from analytics.i18n import N_

PAGES = [
    ("views/overview.py", N_("Overview"), ":material/dashboard:"),
    ("views/budget.py", N_("Budget"), ":material/account_balance:"),
    ("views/forecast.py", N_("Forecast"), ":material/trending_up:"),
    ("views/audit.py", N_("Cost audit"), ":material/policy:"),
    ("views/vendors.py", N_("Vendors"), ":material/storefront:"),
    ("views/sla.py", N_("SLA"), ":material/timer:"),
    ("views/contracts.py", N_("Contracts"), ":material/description:"),
    ("views/cloud.py", N_("Cloud"), ":material/cloud:"),
    ("views/showback.py", N_("Showback"), ":material/account_tree:"),
    ("views/data.py", N_("Data"), ":material/upload_file:"),
    ("views/settings.py", N_("Settings"), ":material/settings:"),
    ("views/admin.py", N_("Accounts and activity"), ":material/manage_accounts:"),
]

# pages that need more than reading (accounts.ACTIONS); the others are open to every role
NEEDS = {"views/data.py": "import", "views/settings.py": "settings", "views/admin.py": "users"}
# the pages whose every figure follows the cost-center filter: the only ones a user limited to cost centers sees
# (the others show company-wide figures: audit findings, scorecards, contracts, SLAs, cloud, showback, forecast)
SCOPED = {"views/overview.py", "views/budget.py"}


def pages_for(user: accounts.User) -> list[tuple[str, str, str]]:
    """The pages `user` may open, in menu order."""
    return [page for page in PAGES
            if (page[0] not in NEEDS or user.can(NEEDS[page[0]])) and (not user.scoped or page[0] in SCOPED)]
