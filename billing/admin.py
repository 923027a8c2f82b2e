"""Registers the sales console's pages (billing/console/) with the admin site, which Django's
admin autodiscovery imports from here."""

from django.contrib import admin

from billing.console.customers import CustomerAdmin
from billing.console.inquiries import InquiryAdmin
from billing.console.records import LedgerEntryAdmin, PurchaseAdmin, StripeEventAdmin
from billing.models import CustomerAccount, EnterpriseInquiry, LedgerEntry, Purchase, StripeEvent

admin.site.register(CustomerAccount, CustomerAdmin)
admin.site.register(EnterpriseInquiry, InquiryAdmin)
admin.site.register(LedgerEntry, LedgerEntryAdmin)
admin.site.register(Purchase, PurchaseAdmin)
admin.site.register(StripeEvent, StripeEventAdmin)
