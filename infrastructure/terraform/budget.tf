# Monthly budget of the environment's resource group (seed 004 "Cost Controls", seed 000):
# notifications at 80 % and 100 % of actual cost and at 100 % of forecast, to the action group.
#
# Start date: the Budgets API takes the first of a month, "on or after June 1, 2017", a future
# start "not more than twelve months" ahead and a past start "within the timegrain period"
# (Microsoft.Consumption budgets, BudgetTimePeriod.StartDate, read 2026-12-08). For a monthly
# budget that means the first of the current month at creation time, so it is derived from
# plantimestamp() (known at plan, unlike timestamp()) unless budget_start_date pins one, and
# lifecycle ignores it afterwards: a plan next month shows no diff, and a budget recreated
# later gets that month's first day instead of a date that has fallen out of the window.

locals {
  budget_notifications = [
    { threshold = 80, type = "Actual" },
    { threshold = 100, type = "Actual" },
    { threshold = 100, type = "Forecasted" },
  ]
  budget_start_date = var.budget_start_date != "" ? var.budget_start_date : formatdate("YYYY-MM-01'T'00:00:00Z", plantimestamp())
}

resource "azurerm_consumption_budget_resource_group" "main" {
  name              = "budget-${local.name}"
  resource_group_id = azurerm_resource_group.main.id
  amount            = var.monthly_budget_amount
  time_grain        = "Monthly"

  time_period {
    start_date = local.budget_start_date
  }

  dynamic "notification" {
    for_each = local.budget_notifications
    content {
      enabled        = true
      operator       = "GreaterThanOrEqualTo"
      threshold      = notification.value.threshold
      threshold_type = notification.value.type
      contact_groups = [azurerm_monitor_action_group.main.id]
      contact_emails = var.alert_email_addresses
    }
  }

  lifecycle {
    # The start date is fixed at creation; a later plan time must not change (or replace) it.
    ignore_changes = [time_period]
  }
}
