"""What the admin pages of several apps share."""


class ViewOnlyAdminMixin:
    """No add, change or delete: the admin shows the rows, services write them (the ledger,
    records of actions, logs and queues)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
