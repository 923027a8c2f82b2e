"""The sales console: DiffALL's Django admin, re-titled and re-centred on the business.

* `site.py`      — the admin site: "DiffALL sales console", a home with today's figures.
* `customers.py` — the customer list and page, the centre: balance, usage, keys, purchases,
                   ledger, inquiries, history, and the forms of every sales action.
* `customer_actions.py` — the actions (Enterprise, credits, back to free, revoke a key), each
                   checking its permission and recorded in the customer's history (`audit.py`).
* `forms.py`     — the actions' forms.
* `inquiries.py` — "Contact sales" requests: closed (a status), never deleted.
* `records.py`   — the ledger and purchases (read-only), Stripe events (superusers only).
* `roles.py`     — the Sales role: the permissions each action checks, the group that holds them.

Who sees what is decided by permissions alone: a Sales user holds the group's and nothing else,
so Django's admin answers 403 for everything else (users, staff flags, groups, sites, raw models);
superusers see and manage everything.
"""
