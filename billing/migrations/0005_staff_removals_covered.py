"""On PostgreSQL the database itself refuses a staff removal of paid credits that the paid
balance does not cover, so no code path (a shell, raw SQL, a future bug) can push a balance below
zero by hand. billing.services refuses first, with a message for the salesperson; this trigger is
the backstop. Only a payment reversal (a chargeback) may leave a balance below zero: that is a
debt the customer owes, by design (see billing/models.py).

The balance is summed from the ledger, not read from the wallet's cache: the ledger is the truth
and the wallet row is already locked by the service, so the sum cannot move underneath."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION billing_staff_removal_covered() RETURNS trigger AS $$
DECLARE
    balance bigint;
BEGIN
    SELECT COALESCE(SUM(amount), 0) INTO balance FROM billing_ledgerentry
        WHERE user_id = NEW.user_id AND pool = 'paid';
    IF balance + NEW.amount < 0 THEN
        RAISE EXCEPTION 'removing % credits would leave a paid balance of % below zero',
            -NEW.amount, balance USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_staff_removal_covered
    BEFORE INSERT ON billing_ledgerentry
    FOR EACH ROW WHEN (NEW.kind = 'admin_adjustment' AND NEW.amount < 0)
    EXECUTE FUNCTION billing_staff_removal_covered();
"""

DROP = """
DROP TRIGGER IF EXISTS billing_staff_removal_covered ON billing_ledgerentry;
DROP FUNCTION IF EXISTS billing_staff_removal_covered();
"""


def create_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no %-interpolation: RAISE uses %


def drop_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_sales_group")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
