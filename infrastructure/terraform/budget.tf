# Monthly budget of the environment's resource group (seed 004 "Cost Controls", seed 000):
# notifications at 80 % and 100 % of actual cost and at 100 % of forecast, to the action group.
# start_date is a fixed variable (never the current time), so a plan never shows a diff for it.

locals {
  budget_notifications = [
    { threshold = 80, type = "Actual" },
    { threshold = 100, type = "Actual" },
    { threshold = 100, type = "Forecasted" },
  ]
}

resource "azurerm_consumption_budget_resource_group" "main" {
  name              = "budget-${local.name}"
  resource_group_id = azurerm_resource_group.main.id
  amount            = var.monthly_budget_amount
  time_grain        = "Monthly"

  time_period {
    start_date = var.budget_start_date
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
}
